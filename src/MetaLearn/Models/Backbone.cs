using TorchSharp.Modules;

namespace MetaLearn.Models;

/// <summary>
/// Any TorchSharp module <c>nn.Module&lt;Tensor, Tensor&gt;</c> as the feature extractor of the algorithms that adapt
/// only a head: Prototypical Networks, R2D2, ANIL and <c>FineTuning</c>. A TorchVision ResNet, or any network whose
/// forward is code that <see cref="FunctionalModel.FromModule"/> does not convert, works: the module runs as it is,
/// with its own parameters, trained by the outer loop with ordinary autograd, while only the head (this model's own
/// linear head, <see cref="BackboneOptions.Ways"/>, or the algorithm's prototypes, ridge or fitted head) is adapted
/// functionally. Algorithms that adapt every weight in an inner loop (MAML, Meta-SGD, Reptile, iMAML, CAVIA) refuse it.
/// </summary>
/// <remarks>
/// <para><b>Meta-training</b> runs the module in <c>train()</c> mode, and one forward pass embeds every support and
/// query image of a meta-batch: batch norm normalises with that batch's statistics and updates its running statistics,
/// dropout draws from TorchSharp's global generator (<c>torch.manual_seed</c>), which checkpoints do not restore, so a
/// resumed run equals an uninterrupted one only for modules without dropout.</para>
/// <para><b>Adaptation and prediction</b> (<c>IMetaAlgorithm.Adapt</c>, <c>AdaptedModel</c>, evaluation) never run the
/// module itself: they run a frozen copy in <c>eval()</c> mode under <c>no_grad()</c> (batch norm with the running
/// statistics, no dropout), made by calling the factory once more and copying the module's parameters and buffers into
/// it. An adapted model holds its copy, so its predictions do not change when the backbone trains on; copies are shared
/// while the module's values stay equal (each adaptation compares them, a read of every parameter and buffer), and the
/// global generator's state is put back after the factory runs. So adapting is pure, and any number of threads may
/// adapt and predict at once as long as nothing trains, loads into or disposes the backbone meanwhile.</para>
/// <para>A backbone's state is its module's parameters and buffers (and its head's): anything else the module holds
/// must be set by the factory, which has to build the same architecture every call. Learner files and checkpoints hold
/// the parameters and buffers; to save and load a learner, register the factory under a kind with
/// <c>ModelArchitectures.RegisterModule</c> in both processes and save with <c>ModelArchitectures.Module(kind)</c>.</para>
/// </remarks>
public sealed class Backbone : IFunctionalModel
{
    private readonly Func<nn.Module<Tensor, Tensor>> _createModule;
    private readonly Parameter[] _parameters;
    private readonly string[] _parameterNames;
    private readonly Tensor[] _buffers;
    private readonly string[] _bufferNames;
    private readonly ParameterStore? _head;
    private readonly object _gate = new();
    private BackboneSnapshot? _snapshot;
    private bool _disposed;

    /// <summary>Creates the backbone and its module (the first call of <paramref name="createModule"/>), which it owns.</summary>
    /// <param name="createModule">Builds the module: the same architecture every call (its initial values matter only the first time).</param>
    /// <param name="options">The head and its seed; null for none.</param>
    /// <exception cref="ArgumentException">The module has no floating-point parameter, or a head is asked for without <see cref="BackboneOptions.Features"/>, or the module's names collide with the head's.</exception>
    public Backbone(Func<nn.Module<Tensor, Tensor>> createModule, BackboneOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(createModule);
        Options = options ?? new BackboneOptions();
        if (Options.Ways > 0 && Options.Features < 1)
        {
            throw new ArgumentException("A backbone with a head (Ways > 0) needs BackboneOptions.Features, the number of features its module outputs per example.", nameof(options));
        }

        _createModule = createModule;
        Module = Build(createModule) ?? throw new ArgumentException("The module factory returned null; return a new module.", nameof(createModule));
        try
        {
            var named = Module.named_parameters().ToArray();
            var first = named.Select(p => p.parameter).FirstOrDefault(p => p.is_floating_point())
                ?? throw new ArgumentException($"The module ({Module.GetType().Name}) has no floating-point parameter to meta-train.", nameof(createModule));
            Device = first.device;
            DType = first.dtype;
            var buffers = Module.named_buffers().ToArray();
            if (Options.Ways > 0)
            {
                _head = new ParameterStore(Device, DType, Options.Seed);
                double bound = 1.0 / Math.Sqrt(Options.Features);
                _head.AddUniform("head.weight", new long[] { Options.Ways, Options.Features }, bound);
                _head.AddUniform("head.bias", new long[] { Options.Ways }, bound);
            }

            var headNames = _head?.Names ?? Array.Empty<string>();
            var clash = named.Select(p => p.name).Concat(buffers.Select(b => b.name)).FirstOrDefault(n => headNames.Contains(n, StringComparer.Ordinal));
            if (clash is not null)
            {
                throw new ArgumentException($"The module has a parameter or buffer named '{clash}', the name of the backbone's head; rename the module's or use Ways = 0.", nameof(createModule));
            }

            _parameters = named.Select(p => p.parameter).Concat(_head?.Parameters ?? Array.Empty<Parameter>()).ToArray();
            _parameterNames = named.Select(p => p.name).Concat(headNames).ToArray();
            _buffers = buffers.Select(b => b.buffer).ToArray();
            _bufferNames = buffers.Select(b => b.name).ToArray();
            HeadStart = named.Length;
            Head = _head is null ? null : new BackboneHead(this);
        }
        catch
        {
            _head?.Dispose();
            Module.Dispose();
            throw;
        }
    }

    /// <summary>The options.</summary>
    public BackboneOptions Options { get; }

    /// <summary>
    /// The module the outer loop trains (owned by the backbone): load weights into it (e.g. PyTorch's, through
    /// TorchSharp.PyBridge) before meta-training, or use it after.
    /// </summary>
    public nn.Module<Tensor, Tensor> Module { get; }

    /// <inheritdoc />
    /// <value>The module's parameters (<c>named_parameters()</c> order), then the head's weight and bias.</value>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <inheritdoc />
    /// <value>The module's names (<c>conv1.weight</c>, ...), then <c>head.weight</c> and <c>head.bias</c>.</value>
    public IReadOnlyList<string> ParameterNames => _parameterNames;

    /// <inheritdoc />
    /// <value>The module's buffers (<c>named_buffers()</c>: batch norm's running statistics and batch counts).</value>
    public IReadOnlyList<Tensor> Buffers => _buffers;

    /// <inheritdoc />
    public IReadOnlyList<string> BufferNames => _bufferNames;

    /// <inheritdoc />
    /// <value>The module's parameter count: the head's index when there is one, the parameter count otherwise.</value>
    public int HeadStart { get; }

    /// <inheritdoc />
    public Device Device { get; }

    /// <inheritdoc />
    public ScalarType DType { get; }

    /// <inheritdoc />
    /// <value>True: a task-batched pass runs all tasks' examples through the module as one batch.</value>
    public bool SupportsTaskBatching => true;

    /// <summary>Whether the backbone has a head of its own (<see cref="BackboneOptions.Ways"/> &gt; 0).</summary>
    internal bool HasHead => _head is not null;

    /// <summary>The head as a model over the features (for ANIL's inner loop); null without a head.</summary>
    internal IFunctionalModel? Head { get; }

    /// <inheritdoc />
    /// <returns>True only for the head's parameters: the module runs with its own.</returns>
    public bool UsesParameter(int index, int step) => index >= HeadStart;

    /// <inheritdoc />
    /// <remarks>
    /// A training-mode pass (the default context) runs the module itself in <c>train()</c> mode; any other pass (an
    /// evaluation-mode or adapting one) runs a frozen copy in <c>eval()</c> mode, as adaptation does. The module runs
    /// with its own parameters whatever <paramref name="weights"/> hold for them; only the head's weights are read.
    /// </remarks>
    public Tensor Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> weights, ForwardContext context)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(weights);
        ObjectDisposedException.ThrowIf(_disposed, this);
        ModelChecks.Weights(this, weights);
        ModelChecks.Devices(this, inputs);
        var x = ModelChecks.SingleInput(inputs, nameof(Backbone));
        if (!context.Training || context.Adapting)
        {
            using var frozen = Freeze();
            return frozen.Forward(inputs, weights, context);
        }

        return ApplyHead(TrainingFeatures(x, context.TaskBatched), weights, context.TaskBatched);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        lock (_gate)
        {
            _snapshot?.Release();
            _snapshot = null;
        }

        _head?.Dispose();
        Module.Dispose();
    }

    /// <summary>
    /// The module's features of <paramref name="x"/> in <c>train()</c> mode, flattened per example: <c>[N, D]</c>, or
    /// <c>[T, N, D]</c> for task-batched <c>[T, N, ...]</c> inputs, which run through the module as one batch of T·N.
    /// Differentiable in the module's parameters; updates batch norm's running statistics.
    /// </summary>
    /// <returns>A tensor in the current dispose scope.</returns>
    internal Tensor TrainingFeatures(Tensor x, bool taskBatched)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Module.train();
        return Features(Module, x, taskBatched, Options.Features, HasHead);
    }

    /// <summary>The head on <paramref name="features"/> with the head's <paramref name="weights"/> (the whole weight list); the features when there is no head.</summary>
    internal Tensor ApplyHead(Tensor features, IReadOnlyList<Tensor> weights, bool taskBatched) =>
        _head is null ? features : Layers.Linear(features, weights[HeadStart], weights[HeadStart + 1], taskBatched);

    /// <summary>
    /// A frozen copy of the module (in <c>eval()</c> mode, parameters without gradients) holding the module's current
    /// values: the cached one while they are unchanged, else a new one. Safe on several threads while nothing trains.
    /// </summary>
    /// <returns>A lease on the copy, which the caller disposes.</returns>
    internal FrozenBackbone Freeze()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_gate)
        {
            if (_snapshot is null || !_snapshot.Holds(_parameters.Take(HeadStart).ToArray(), _buffers))
            {
                var fresh = BackboneSnapshot.Create(_createModule, _parameterNames.Take(HeadStart).ToArray(), _parameters.Take(HeadStart).ToArray(), _bufferNames, _buffers, Device);
                _snapshot?.Release();
                _snapshot = fresh;
            }

            return new FrozenBackbone(this, _snapshot.Acquire());
        }
    }

    /// <summary>
    /// Calls the factory and keeps what the module holds out of every dispose scope: a module built while the caller has
    /// a scope open (e.g. around an evaluation) would otherwise lose its parameters when that scope ends, if they were
    /// made with <c>new Parameter(tensor)</c>. The factory's temporaries are freed.
    /// </summary>
    /// <returns>The module, or null when the factory returned null.</returns>
    internal static nn.Module<Tensor, Tensor>? Build(Func<nn.Module<Tensor, Tensor>> createModule)
    {
        using var scope = NewDisposeScope();
        var module = createModule();
        foreach (var tensor in module?.parameters().Cast<Tensor>().Concat(module.buffers()) ?? Enumerable.Empty<Tensor>())
        {
            tensor.DetachFromDisposeScope();
        }

        return module;
    }

    /// <summary>The flattened features of <paramref name="x"/> through <paramref name="module"/> (task-batched inputs merged into one batch).</summary>
    internal static Tensor Features(nn.Module<Tensor, Tensor> module, Tensor x, bool taskBatched, int expected, bool checkWidth)
    {
        var rows = taskBatched ? x.flatten(0, 1) : x;
        var features = module.forward(rows);
        features = features.dim() == 2 ? features : features.flatten(1);
        if (checkWidth && features.shape[1] != expected)
        {
            throw new InvalidOperationException(
                $"The backbone's module outputs {features.shape[1]} features per example but BackboneOptions.Features is {expected}; set Features = {features.shape[1]}.");
        }

        return taskBatched ? features.view(x.shape[0], x.shape[1], features.shape[1]) : features;
    }
}
