namespace MetaLearn.Tests;

public sealed class InputLimitsTests
{
    [Fact]
    public void Defaults_AreTheDocumentedValues()
    {
        var limits = new InputLimits();

        limits.MaxFileBytes.Should().Be(1_073_741_824);
        limits.MaxModelBytes.Should().Be(1_073_741_824);
        limits.MaxImagePixels.Should().Be(33_554_432);
        limits.MaxImageFileBytes.Should().Be(268_435_456);
        limits.MaxZipBytes.Should().Be(2_147_483_648);
        InputLimits.Default.Should().Be(limits);
    }

    [Theory]
    [InlineData(nameof(InputLimits.MaxFileBytes), 0)]
    [InlineData(nameof(InputLimits.MaxModelBytes), -1)]
    [InlineData(nameof(InputLimits.MaxImagePixels), 0)]
    [InlineData(nameof(InputLimits.MaxImageFileBytes), long.MinValue)]
    [InlineData(nameof(InputLimits.MaxZipBytes), 0)]
    public void Init_ZeroOrNegative_ThrowsNamingTheLimit(string name, long value)
    {
        var act = () => name switch
        {
            nameof(InputLimits.MaxFileBytes) => new InputLimits { MaxFileBytes = value },
            nameof(InputLimits.MaxModelBytes) => new InputLimits { MaxModelBytes = value },
            nameof(InputLimits.MaxImagePixels) => new InputLimits { MaxImagePixels = value },
            nameof(InputLimits.MaxImageFileBytes) => new InputLimits { MaxImageFileBytes = value },
            _ => new InputLimits { MaxZipBytes = value },
        };

        act.Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == name && e.Message.Contains($"InputLimits.{name} must be at least 1"));
    }

    [Fact]
    public void With_RaisedLimit_KeepsTheOthers()
    {
        var raised = InputLimits.Default with { MaxFileBytes = 8L << 30 };

        raised.MaxFileBytes.Should().Be(8L << 30);
        raised.MaxModelBytes.Should().Be(InputLimits.Default.MaxModelBytes);
    }
}
