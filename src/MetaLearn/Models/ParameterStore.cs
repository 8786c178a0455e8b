using TorchSharp.Modules;

namespace MetaLearn.Models;

/// <summary>Named parameters and buffers of a functional model, created from a seeded generator.</summary>
internal sealed class ParameterStore : IDisposable
{
    private readonly List<Parameter> _parameters = new();
    private readonly List<string> _names = new();
    private readonly List<Tensor> _buffers = new();
    private readonly List<string> _bufferNames = new();
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);

    public ParameterStore(Device device, ScalarType dtype, long seed)
    {
        Device = device;
        DType = dtype;
        Generator = new Generator((ulong)seed);
    }

    public Device Device { get; }

    public ScalarType DType { get; }

    public Generator Generator { get; }

    public IReadOnlyList<Parameter> Parameters => _parameters;

    public IReadOnlyList<string> Names => _names;

    public IReadOnlyList<Tensor> Buffers => _buffers;

    public IReadOnlyList<string> BufferNames => _bufferNames;

    /// <summary>Adds a parameter drawn uniformly from [-bound, bound] (PyTorch's default for linear and conv layers).</summary>
    public int AddUniform(string name, long[] shape, double bound)
    {
        using var scope = NewDisposeScope();
        var values = empty(shape, dtype: ScalarType.Float64).uniform_(-bound, bound, generator: Generator);
        return Add(name, values);
    }

    /// <summary>Adds a parameter filled with <paramref name="value"/>.</summary>
    public int AddConstant(string name, long[] shape, double value)
    {
        using var scope = NewDisposeScope();
        using var fill = value.ToScalar();
        return Add(name, full(shape, fill, dtype: ScalarType.Float64));
    }

    /// <summary>Adds a 1-D parameter holding <paramref name="values"/>.</summary>
    public int AddValues(string name, double[] values)
    {
        using var scope = NewDisposeScope();
        return Add(name, tensor(values, dtype: ScalarType.Float64));
    }

    /// <summary>Adds a parameter holding a copy of <paramref name="values"/> (not taken over).</summary>
    public int AddCopy(string name, Tensor values)
    {
        using var scope = NewDisposeScope();
        return Add(name, values.detach());
    }

    /// <summary>Adds a buffer (state that is not meta-learned) holding a copy of <paramref name="values"/>.</summary>
    public int AddBuffer(string name, Tensor values)
    {
        Claim(name);
        using var scope = NewDisposeScope();
        var type = values.is_floating_point() ? DType : values.dtype;
        var buffer = values.detach().to(type, Device).clone().DetachFromDisposeScope();
        _buffers.Add(buffer);
        _bufferNames.Add(name);
        return _buffers.Count - 1;
    }

    public void Dispose()
    {
        foreach (var p in _parameters)
        {
            p.Dispose();
        }

        foreach (var b in _buffers)
        {
            b.Dispose();
        }

        Generator.Dispose();
    }

    private int Add(string name, Tensor values)
    {
        Claim(name);

        // Values are drawn in float64 on the CPU so a seed gives the same initialisation on every device and dtype.
        var parameter = new Parameter(values.to(DType, Device).detach().clone(), requires_grad: true);
        parameter.DetachFromDisposeScope();
        _parameters.Add(parameter);
        _names.Add(name);
        return _parameters.Count - 1;
    }

    private void Claim(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!_taken.Add(name))
        {
            throw new ArgumentException($"The name '{name}' is already used by another parameter or buffer of this model; give each a unique name.", nameof(name));
        }
    }
}
