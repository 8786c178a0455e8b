namespace MetaLearn.Tests;

/// <summary>The one way options check a property: the value back when valid, else the property, the value and the message.</summary>
public sealed class OptionChecksTests
{
    [Fact]
    public void Valid_InvalidValue_ThrowsNamingThePropertyTheValueAndWhatToChange()
    {
        var act = () => OptionChecks.Valid(1.5, false, "OuterStepSize", "It must be in (0, 1].");

        var thrown = act.Should().Throw<ArgumentOutOfRangeException>().Which;
        thrown.ParamName.Should().Be("OuterStepSize");
        thrown.ActualValue.Should().Be(1.5);
        thrown.Message.Should().StartWith("It must be in (0, 1].");
        OptionChecks.Valid(0.5, true, "OuterStepSize", "unused").Should().Be(0.5);
    }

    [Fact]
    public void Valid_WithActual_ShowsItOnlyWhenInvalid()
    {
        int shown = 0;
        OptionChecks.Valid(new[] { 1, 2 }, true, "Sizes", "unused", () => shown++).Should().Equal(1, 2);
        shown.Should().Be(0, "a valid value is not formatted");

        var act = () => OptionChecks.Valid(new[] { -1 }, false, "Sizes", "Give positive sizes.", () => "[-1]");

        act.Should().Throw<ArgumentOutOfRangeException>().Which.ActualValue.Should().Be("[-1]");
    }

    [Theory]
    [InlineData(0.0, false)]
    [InlineData(double.NaN, false)]
    [InlineData(double.PositiveInfinity, false)]
    [InlineData(1e-300, true)]
    public void PositiveFinite_AcceptsOnlyPositiveFiniteValues(double value, bool valid)
    {
        var act = () => OptionChecks.PositiveFinite(value, "X", "m");

        if (valid)
        {
            act().Should().Be(value);
        }
        else
        {
            act.Should().Throw<ArgumentOutOfRangeException>();
        }
    }

    [Theory]
    [InlineData(-1e-300, false)]
    [InlineData(double.NaN, false)]
    [InlineData(0.0, true)]
    public void NonNegativeFinite_AcceptsZeroAndUp(double value, bool valid)
    {
        var act = () => OptionChecks.NonNegativeFinite(value, "X", "m");

        if (valid)
        {
            act().Should().Be(value);
        }
        else
        {
            act.Should().Throw<ArgumentOutOfRangeException>();
        }
    }
}
