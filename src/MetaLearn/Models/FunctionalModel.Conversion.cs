namespace MetaLearn.Models;

/// <content>Conversion of a TorchSharp module tree into a functional model.</content>
public abstract partial class FunctionalModel
{
    /// <summary>The module types <see cref="FromModule"/> converts.</summary>
    public static IReadOnlyList<string> SupportedModules { get; } = new[]
    {
        "Sequential", "ResidualBlock", "Linear", "Conv1d", "Conv2d", "BatchNorm1d", "BatchNorm2d", "LayerNorm", "GroupNorm",
        "Embedding", "Dropout", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "Flatten", "Identity", "ReLU", "LeakyReLU",
        "ELU", "GELU", "SiLU", "Tanh", "Sigmoid", "Softmax", "LogSoftmax",
    };

    /// <summary>
    /// Converts a TorchSharp module tree into a functional model that any MetaLearn algorithm meta-trains. The weights
    /// (and batch-norm running statistics, as buffers) are copied: <paramref name="module"/> stays the caller's and is
    /// neither changed nor disposed. Parameter names follow the module's (<c>conv1.weight</c>, <c>0.bias</c>), one to
    /// one with <c>module.named_parameters()</c>; the head (what ANIL adapts) is the last layer that has parameters.
    /// The model's dtype and device are those of the module's first parameter (float32 on the CPU when it has none).
    /// A batch norm with running statistics keeps them (<see cref="BatchNormStatistics.Running"/>); one without
    /// normalises as <see cref="ModuleConversionOptions.BatchNormStatistics"/> says (by default with the support set's statistics).
    /// </summary>
    /// <param name="module">A module built from <see cref="SupportedModules"/>.</param>
    /// <param name="options">Conversion options; null for the defaults.</param>
    /// <returns>A new model the caller disposes; <see cref="ToModule"/> exports it back.</returns>
    /// <exception cref="ArgumentException">A module in the tree is not supported or uses an unsupported setting (the
    /// message names its path, its type and what is supported).</exception>
    public static FunctionalModel FromModule(nn.Module module, ModuleConversionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        options ??= new ModuleConversionOptions();
        var first = module.parameters().FirstOrDefault();
        var model = new ConvertedModel(options, first?.dtype ?? ScalarType.Float32, first?.device);
        try
        {
            using var noGrad = no_grad();
            var root = new ModuleConverter(model, options).Convert(module, string.Empty);
            model.Attach(root, options.TaskBatching ?? root.BatchesWithoutLoop);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}

/// <summary>A model converted from a TorchSharp module: its layer tree over one input tensor.</summary>
internal sealed class ConvertedModel : FunctionalModel
{
    private bool _taskBatching;

    public ConvertedModel(ModuleConversionOptions options, ScalarType dtype, Device? device)
        : base(options.Seed, dtype, device)
    {
        ConversionOptions = options;
    }

    /// <summary>The options the model was converted with (a learner file records them).</summary>
    public ModuleConversionOptions ConversionOptions { get; }

    public override bool SupportsTaskBatching => _taskBatching;

    public void Attach(ModuleLayer root, bool taskBatching)
    {
        Root = root;
        _taskBatching = taskBatching;
        SetHeadStartInternal(root.HeadStart ?? Parameters.Count);
    }

    protected override Tensor Run(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> weights, ForwardContext context) =>
        RunLayers(ModelChecks.SingleInput(inputs, "A converted module"), weights, context);
}
