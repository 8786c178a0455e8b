using TorchSharp.Modules;

namespace MetaLearn.Models;

/// <summary>
/// The base of every functional model: it owns the named parameters (meta-learned) and buffers (state such as batch
/// norm's running statistics, not meta-learned), the seeded generators, the device, the dtype and their disposal, so
/// that a model writes only its forward pass.
/// </summary>
/// <remarks>
/// <para>To bring your own network, either convert a TorchSharp module with <see cref="FromModule"/>, or derive from
/// this class: register the parameters in the constructor (<see cref="AddParameter"/>, <see cref="AddUniformParameter"/>,
/// <see cref="AddConstantParameter"/>, <see cref="AddBuffer"/>; the order of registration is the order of
/// <see cref="Parameters"/> and of the weights <see cref="Run"/> receives), optionally mark where the head starts
/// (<see cref="MarkHeadStart()"/>), and implement <see cref="Run"/> over <c>torch.nn.functional</c> using only the
/// weights it is given, never <see cref="Parameters"/> directly.</para>
/// <para>Initial values are drawn in float64 on the CPU from a generator seeded with the constructor's seed, in
/// registration order, then converted; so a seed gives the same initialisation on every device and dtype. Forward-time
/// randomness (dropout) draws from a second generator seeded with the same seed (<see cref="Noise"/>) in meta-training;
/// an adaptation (<c>IMetaAlgorithm.Adapt</c>) draws from a generator of its own instead, so it leaves this one as it was.</para>
/// </remarks>
public abstract partial class FunctionalModel : IHeldModel
{
    private readonly ParameterStore _store;
    private readonly SharedLifetime _lifetime;
    private int? _headStart;
    private bool _freed;
    private Generator[]? _generators;

    /// <summary>Creates an empty model; the derived constructor registers the parameters.</summary>
    /// <param name="seed">Seed of the initialisation draws and of <see cref="Noise"/>.</param>
    /// <param name="dtype">Floating-point type of the parameters and floating-point buffers.</param>
    /// <param name="device">Device of the parameters; null for the CPU.</param>
    protected FunctionalModel(long seed, ScalarType dtype, Device? device = null)
    {
        if (dtype is not (ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16 or ScalarType.BFloat16))
        {
            throw new ArgumentException($"A model's parameters need a floating-point dtype, not {dtype}; use Float32 or Float64.", nameof(dtype));
        }

        _store = new ParameterStore(device ?? CPU, dtype, seed);
        Noise = new Generator((ulong)seed);
        _lifetime = new SharedLifetime(() => Dispose(true));
    }

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => _store.Parameters;

    /// <inheritdoc />
    public IReadOnlyList<string> ParameterNames => _store.Names;

    /// <summary>State the forward pass reads and updates but the algorithm does not optimise (e.g. running statistics).</summary>
    public IReadOnlyList<Tensor> Buffers => _store.Buffers;

    /// <summary>Names of <see cref="Buffers"/>, e.g. <c>bn1.running_mean</c>.</summary>
    public IReadOnlyList<string> BufferNames => _store.BufferNames;

    /// <inheritdoc />
    /// <value>One generator, <see cref="Noise"/>.</value>
    public IReadOnlyList<Generator> Generators => _generators ??= new[] { Noise };

    /// <inheritdoc />
    /// <value><c>noise</c>.</value>
    public IReadOnlyList<string> GeneratorNames { get; } = new[] { "noise" };

    /// <inheritdoc />
    /// <value>The index given to <see cref="MarkHeadStart()"/>; when never marked, the parameter count (no head).</value>
    public virtual int HeadStart => _headStart ?? Parameters.Count;

    /// <inheritdoc />
    public Device Device => _store.Device;

    /// <inheritdoc />
    public ScalarType DType => _store.DType;

    /// <inheritdoc />
    /// <value>Default false; a derived model that handles a leading task dimension overrides it.</value>
    public virtual bool SupportsTaskBatching => false;

    /// <summary>
    /// The generator of forward-time randomness (dropout masks) in meta-training, seeded with the model's seed. Passes
    /// whose <see cref="ForwardContext"/> carries a generator of their own (an adaptation's) draw from that instead.
    /// </summary>
    protected internal Generator Noise { get; }

    /// <summary>The generator of initial values (advanced by every <c>Add*Parameter</c> draw).</summary>
    protected Generator InitGenerator => _store.Generator;

    /// <inheritdoc />
    public virtual bool UsesParameter(int index, int step) => true;

    /// <inheritdoc />
    /// <returns>For a model built from layers, whether one of its batch-norm layers normalises so; false otherwise.</returns>
    public virtual bool UsesBatchNormStatistics(BatchNormStatistics statistics) => Root?.UsesBatchNorm(statistics) ?? false;

    /// <inheritdoc />
    public Tensor Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> weights, ForwardContext context) =>
        HeldModels.ForwardOwned(this, inputs, weights, context);

    /// <inheritdoc />
    Tensor IHeldModel.ForwardHeld(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> weights, ForwardContext context)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(weights);
        ObjectDisposedException.ThrowIf(_freed, this);
        ModelChecks.Weights(this, weights);
        ModelChecks.Devices(this, inputs);
        if (context.TaskBatched && !SupportsTaskBatching)
        {
            throw new ArgumentException($"{GetType().Name} does not support task-batched forward passes; run each task separately.", nameof(context));
        }

        return Run(inputs, weights, context);
    }

    /// <summary>
    /// Exports the model as a TorchSharp module holding copies of the current parameter and buffer values.
    /// </summary>
    /// <returns>A new module the caller owns and disposes.</returns>
    /// <exception cref="NotSupportedException">The model was not built from layers that have a module form.</exception>
    public virtual nn.Module<Tensor, Tensor> ToModule()
    {
        ObjectDisposedException.ThrowIf(_lifetime.OwnerDisposed, this);
        return Root?.Export(this)
            ?? throw new NotSupportedException($"{GetType().Name} has no TorchSharp module form; override ToModule to provide one.");
    }

    /// <summary>
    /// Ends the owner's use of the model: from now on its members that run it throw <see cref="ObjectDisposedException"/>.
    /// The parameters, buffers and generators are freed (<see cref="Dispose(bool)"/>) now, or, while adapted models made
    /// from it are alive, when the last of them is disposed. A second call does nothing.
    /// </summary>
    public void Dispose()
    {
        _lifetime.DisposeOwner();
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc />
    SharedLifetime IHeldModel.Lifetime => _lifetime;

    /// <summary>
    /// The forward pass: runs the network on <paramref name="inputs"/> with <paramref name="weights"/> (one per
    /// parameter, in registration order, already checked for count). Use only these weights, never
    /// <see cref="Parameters"/>, so that the inner loop's adapted weights take effect.
    /// </summary>
    /// <returns>The output, owned by the caller (or the enclosing dispose scope).</returns>
    protected abstract Tensor Run(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> weights, ForwardContext context);

    /// <summary>Registers a parameter holding a copy of <paramref name="initialValue"/>, converted to the model's dtype and device.</summary>
    /// <returns>The parameter's index in <see cref="Parameters"/> (and in the weights <see cref="Run"/> receives).</returns>
    protected int AddParameter(string name, Tensor initialValue)
    {
        ArgumentNullException.ThrowIfNull(initialValue);
        return _store.AddCopy(name, initialValue);
    }

    /// <summary>Registers a parameter drawn uniformly from [-bound, bound] with the model's seeded generator.</summary>
    /// <returns>The parameter's index.</returns>
    protected int AddUniformParameter(string name, long[] shape, double bound) => _store.AddUniform(name, shape, bound);

    /// <summary>Registers a parameter filled with <paramref name="value"/>.</summary>
    /// <returns>The parameter's index.</returns>
    protected int AddConstantParameter(string name, long[] shape, double value) => _store.AddConstant(name, shape, value);

    /// <summary>Registers a buffer holding a copy of <paramref name="initialValue"/> (floating-point values take the model's dtype).</summary>
    /// <returns>The buffer's index in <see cref="Buffers"/>.</returns>
    protected int AddBuffer(string name, Tensor initialValue)
    {
        ArgumentNullException.ThrowIfNull(initialValue);
        return _store.AddBuffer(name, initialValue);
    }

    /// <summary>Marks the parameters registered from now on as the head (ANIL adapts only those).</summary>
    protected void MarkHeadStart() => _headStart = Parameters.Count;

    /// <summary>Sets where the head starts (an index into <see cref="Parameters"/>).</summary>
    protected void MarkHeadStart(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, Parameters.Count);
        _headStart = index;
    }

    /// <summary>
    /// Frees the parameters, buffers and generators: called once, when the owner has disposed the model and no adapted
    /// model holds it any more. A derived model that frees state of its own here may be run until then.
    /// </summary>
    /// <param name="disposing">True (the model has no finaliser).</param>
    protected virtual void Dispose(bool disposing)
    {
        if (_freed)
        {
            return;
        }

        _freed = true;
        if (disposing)
        {
            _store.Dispose();
            Noise.Dispose();
        }
    }

    /// <summary>The layer tree of models built from layers (converted modules, <see cref="Mlp"/>, <see cref="Conv4"/>); null otherwise.</summary>
    internal ModuleLayer? Root { get; set; }

    /// <summary>
    /// Whether tasks can be meta-trained at once on several threads: the model is built from layers and its training
    /// passes keep no state from task to task (no dropout, no batch-norm running statistics).
    /// </summary>
    internal bool TrainsTasksIndependently => Root is { KeepsTrainingState: false };

    /// <summary>Runs <see cref="Root"/> on one input tensor.</summary>
    internal Tensor RunLayers(Tensor x, IReadOnlyList<Tensor> weights, ForwardContext context) =>
        (Root ?? throw new InvalidOperationException("The model has no layers."))
            .Forward(x, new LayerRun(weights, context, this));

    internal int AddCopyInternal(string name, Tensor value) => _store.AddCopy(name, value);

    internal int AddBufferInternal(string name, Tensor value) => _store.AddBuffer(name, value);

    internal int AddUniformInternal(string name, long[] shape, double bound) => _store.AddUniform(name, shape, bound);

    internal int AddConstantInternal(string name, long[] shape, double value) => _store.AddConstant(name, shape, value);

    internal void SetHeadStartInternal(int index) => _headStart = index;
}
