using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MetaLearn.Models;

/// <summary>Named parameters of a functional model, created from a seeded generator.</summary>
internal sealed class ParameterStore : IDisposable
{
    private readonly List<Parameter> _parameters = new();
    private readonly List<string> _names = new();

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

    /// <summary>Adds a parameter drawn uniformly from [-bound, bound] (PyTorch's default for linear and conv layers).</summary>
    public void AddUniform(string name, long[] shape, double bound)
    {
        using var scope = NewDisposeScope();
        var values = empty(shape, dtype: ScalarType.Float64).uniform_(-bound, bound, generator: Generator);
        Add(name, values);
    }

    /// <summary>Adds a parameter filled with <paramref name="value"/>.</summary>
    public void AddConstant(string name, long[] shape, double value)
    {
        using var scope = NewDisposeScope();
        Add(name, ScalarMath.Filled(shape, value, ScalarType.Float64));
    }

    /// <summary>Adds a 1-D parameter holding <paramref name="values"/>.</summary>
    public void AddValues(string name, double[] values)
    {
        using var scope = NewDisposeScope();
        Add(name, tensor(values, dtype: ScalarType.Float64));
    }

    public void Dispose()
    {
        foreach (var p in _parameters)
        {
            p.Dispose();
        }

        Generator.Dispose();
    }

    private void Add(string name, Tensor values)
    {
        // Values are drawn in float64 on the CPU so a seed gives the same initialisation on every device and dtype.
        var parameter = new Parameter(values.to(DType, Device).detach(), requires_grad: true);
        parameter.DetachFromDisposeScope();
        _parameters.Add(parameter);
        _names.Add(name);
    }
}
