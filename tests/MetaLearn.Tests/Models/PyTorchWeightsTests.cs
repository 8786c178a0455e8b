using System.Globalization;
using MetaLearn.Models;
using Xunit.Abstractions;
using static MetaLearn.Tests.Models.PyTorchFixture;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Models;

/// <summary>
/// State dicts written by PyTorch 1.13 (<c>Fixtures/pytorch/make_state_dict.py</c>) load into TorchSharp modules and
/// MetaLearn models and reproduce PyTorch's eval-mode outputs; strictness names the keys; saving and loading back is exact.
/// </summary>
public sealed class PyTorchWeightsTests : IDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly string _directory = Directory.CreateTempSubdirectory("metalearn-pytorch-weights-").FullName;

    public PyTorchWeightsTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Load_PyTorchConvNetIntoTorchSharpModule_OutputsEqualPyTorchsWithin1e5()
    {
        using var module = ConvModule();
        using var scope = NewDisposeScope();

        var result = PyTorchWeights.Load(module, ConvNetFile);

        module.eval();
        var (input, expected) = ConvData();
        double difference = MaxAbs(module.forward(input), expected);
        _output.WriteLine($"conv net as a TorchSharp module: max_abs_difference={difference:G3}");
        difference.Should().BeLessThanOrEqualTo(1e-5);
        result.LoadedKeys.Should().BeEquivalentTo("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked", "5.weight", "5.bias");
        result.LoadedKeys.Should().Equal(module.state_dict().Keys, "in the module's order");
        result.MissingKeys.Should().BeEmpty();
        result.UnexpectedKeys.Should().BeEmpty();
        // The script ran three training-mode batches before saving: the count and the statistics came from the file.
        module.state_dict()["1.num_batches_tracked"].ToInt64().Should().Be(3);
        module.state_dict()["1.running_var"].eq(ones(4)).any().ToBoolean().Should().BeFalse();
    }

    [Fact]
    public void Load_PyTorchConvNetIntoConvertedModel_OutputsEqualPyTorchsWithin1e5()
    {
        using var module = ConvModule();
        using var model = FunctionalModel.FromModule(module);
        using var scope = NewDisposeScope();

        var result = PyTorchWeights.Load(model, ConvNetFile);

        var (input, expected) = ConvData();
        var actual = model.Forward(new[] { input }, model.Parameters, new ForwardContext { Training = false });
        double difference = MaxAbs(actual, expected);
        _output.WriteLine($"conv net as a converted FunctionalModel: max_abs_difference={difference:G3}");
        difference.Should().BeLessThanOrEqualTo(1e-5);
        result.LoadedKeys.Should().BeEquivalentTo(model.ParameterNames.Concat(model.BufferNames));
    }

    [Fact]
    public void Load_PyTorchMlpIntoMlp_OutputsEqualPyTorchsWithin1e5()
    {
        using var model = new Mlp(MlpOptions.WithLayers(3, 16, 16, 2));
        using var scope = NewDisposeScope();

        PyTorchWeights.Load(model, MlpFile);

        var (input, expected) = MlpData();
        var actual = model.Forward(new[] { input }, model.Parameters, new ForwardContext { Training = false });
        double difference = MaxAbs(actual, expected);
        _output.WriteLine($"MLP as MetaLearn's Mlp: max_abs_difference={difference:G3}");
        difference.Should().BeLessThanOrEqualTo(1e-5);
    }

    [Fact]
    public void Load_PyTorchConvNetIntoConv4sModuleForm_Loads_AndConv4sOwnNamesDiffer()
    {
        // Conv4's module form names its layers block{b}.conv/norm and head; a PyTorch file with those names loads into
        // it. Conv4 itself calls batch norm's affine parameters scale and shift, so the same file does not fit Conv4.
        using var conv4 = new Conv4(new Conv4Options { Ways = 5, Channels = 4, ImageSize = 8, Blocks = 1 });
        using var exported = conv4.ToModule();
        string path = Path.Combine(_directory, "conv4.pt");
        Randomise(Named(exported), seed: 3);
        PyTorchWeights.Save(exported, path);

        using var target = conv4.ToModule();
        PyTorchWeights.Load(target, path).LoadedKeys.Should().Contain("block0.norm.weight");
        var act = () => PyTorchWeights.Load(conv4, path);

        act.Should().Throw<InvalidDataException>().WithMessage("*missing keys*block0.norm.scale*unexpected keys*block0.norm.weight*");
    }

    [Fact]
    public void Load_FileMissingALayer_RefusedNamingTheMissingKeys_ModuleUnchanged()
    {
        using var module = ConvModule(extraLayer: true);
        var before = Snapshot(Named(module));

        var act = () => PyTorchWeights.Load(module, ConvNetFile);

        act.Should().Throw<InvalidDataException>()
            .WithMessage($"'{ConvNetFile}' does not fit the module: missing keys (in the module, not in the file): 6.weight, 6.bias. Nothing was copied.*strict: false*");
        ShouldEqual(Named(module), before);
    }

    [Fact]
    public void Load_FileWithAnExtraLayer_RefusedNamingTheUnexpectedKeys_ModelUnchanged()
    {
        using var module = nn.Sequential(nn.Conv2d(1, 4, 3, padding: 1), nn.BatchNorm2d(4));
        using var model = FunctionalModel.FromModule(module);
        var before = Snapshot(Named(model));

        var act = () => PyTorchWeights.Load(model, ConvNetFile);

        act.Should().Throw<InvalidDataException>()
            .WithMessage("*does not fit the model: unexpected keys (in the file, not in the model): 5.bias, 5.weight. Nothing was copied.*ParameterNames and BufferNames*");
        ShouldEqual(Named(model), before);
    }

    [Fact]
    public void Load_WrongShapeAndWrongDtype_RefusedNamingEachKey_EvenWhenNotStrict()
    {
        using var wide = ConvModule(outputs: 6);
        using var doubles = ConvModule();
        doubles.to(ScalarType.Float64);
        var before = Snapshot(Named(wide));

        var shape = () => PyTorchWeights.Load(wide, ConvNetFile, strict: false);
        var dtype = () => PyTorchWeights.Load(doubles, ConvNetFile);

        shape.Should().Throw<InvalidDataException>()
            .WithMessage("*size mismatch for '5.weight': the file has [5, 64], the target [6, 64]; size mismatch for '5.bias': the file has [5], the target [6]. Nothing was copied.*");
        dtype.Should().Throw<InvalidDataException>().WithMessage("*dtype mismatch for '0.weight': the file has Float32, the target Float64*");
        ShouldEqual(Named(wide), before);
    }

    [Fact]
    public void Load_NotStrict_LoadsTheCommonNamesAndReportsTheOthers()
    {
        using var module = ConvModule(extraLayer: true);
        var before = Snapshot(Named(module));

        var result = PyTorchWeights.Load(module, ConvNetFile, strict: false);

        result.MissingKeys.Should().Equal("6.weight", "6.bias");
        result.UnexpectedKeys.Should().BeEmpty();
        result.LoadedKeys.Should().HaveCount(9);
        Same(module.state_dict()["6.weight"], before["6.weight"]).Should().BeTrue("a missing key keeps its value");
        module.state_dict()["1.num_batches_tracked"].ToInt64().Should().Be(3);
    }

    [Fact]
    public void Load_ACheckpointDictionary_RefusedNamingItsNonTensorEntries()
    {
        using var module = ConvModule();

        var act = () => PyTorchWeights.Load(module, CheckpointFile);

        act.Should().Throw<InvalidDataException>()
            .WithMessage("*holds a dictionary with entries that are not tensors: 'epoch' (a number, not a tensor), 'model' (a dictionary, not a tensor)*save model.state_dict() alone*");
    }

    [Fact]
    public void SaveThenLoad_ModuleConvertedModelAndMlp_GiveIdenticalTensors()
    {
        using var module = ConvModule();
        Randomise(Named(module), seed: 1);
        using var converted = FunctionalModel.FromModule(ConvModule());
        Randomise(Named(converted), seed: 2);
        using var mlp = new Mlp(MlpOptions.WithLayers(3, 16, 16, 2) with { DType = ScalarType.Float64 });

        using var moduleCopy = ConvModule();
        using var convertedCopy = FunctionalModel.FromModule(ConvModule());
        using var mlpCopy = new Mlp(MlpOptions.WithLayers(3, 16, 16, 2) with { DType = ScalarType.Float64, Seed = 99 });
        PyTorchWeights.Save(module, Path.Combine(_directory, "module.pt"));
        PyTorchWeights.Save(converted, Path.Combine(_directory, "converted.pt"));
        PyTorchWeights.Save(mlp, Path.Combine(_directory, "mlp.pt"));
        PyTorchWeights.Load(moduleCopy, Path.Combine(_directory, "module.pt"));
        PyTorchWeights.Load(convertedCopy, Path.Combine(_directory, "converted.pt"));
        PyTorchWeights.Load(mlpCopy, Path.Combine(_directory, "mlp.pt"));

        ShouldEqual(Named(moduleCopy), Snapshot(Named(module)));
        ShouldEqual(Named(convertedCopy), Snapshot(Named(converted)));
        ShouldEqual(Named(mlpCopy), Snapshot(Named(mlp)));
        convertedCopy.BufferNames.Should().Contain("1.num_batches_tracked");
        Directory.GetFiles(_directory).Select(Path.GetFileName).Should().BeEquivalentTo(new[] { "module.pt", "converted.pt", "mlp.pt" }, "no temporary file is left");
    }

    [Fact]
    public void SaveThenLoad_LeaveNoTensorAlive()
    {
        using var model = FunctionalModel.FromModule(ConvModule());
        using var copy = FunctionalModel.FromModule(ConvModule());
        string path = Path.Combine(_directory, "model.pt");
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        PyTorchWeights.Save(model, path);
        PyTorchWeights.Load(copy, path);
        PyTorchWeights.Load(copy, ConvNetFile);

        DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(before);
    }

    [Fact]
    public void Load_UnderTurkishAndGermanCultures_LoadsTheSameValues()
    {
        using var invariant = ConvModule();
        PyTorchWeights.Load(invariant, ConvNetFile);
        var culture = CultureInfo.CurrentCulture;
        try
        {
            foreach (string name in new[] { "tr-TR", "de-DE" })
            {
                CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(name);
                using var module = ConvModule();
                PyTorchWeights.Load(module, ConvNetFile);
                ShouldEqual(Named(module), Snapshot(Named(invariant)));
            }
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }
}
