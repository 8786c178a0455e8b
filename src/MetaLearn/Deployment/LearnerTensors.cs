using MetaLearn.Algorithms;

namespace MetaLearn.Deployment;

/// <summary>
/// The tensors a learner file holds for an algorithm, by name: <c>model.&lt;parameter&gt;</c>,
/// <c>step_sizes.&lt;parameter&gt;</c> (learned step sizes), <c>buffers.&lt;buffer&gt;</c> (running statistics, a
/// fusion's branches' too), <c>generators.&lt;generator&gt;</c> (the dropout generators' states, as bytes) and
/// <c>algorithm.&lt;name&gt;</c> (an algorithm's own meta-parameters, e.g. R2D2's λ, scale and bias). Saving writes
/// exactly these and loading needs exactly these, so the two cannot drift apart.
/// </summary>
internal sealed class LearnerTensors : IDisposable
{
    private readonly IFunctionalModel _model;
    private readonly GeneratorStates _states;
    private readonly List<(string Name, Tensor Value, int Generator)> _entries = new();

    /// <param name="algorithm">The algorithm whose tensors to list (not owned).</param>
    /// <param name="generators">Whether the generators' states are among them (format version 1 did not write them).</param>
    public LearnerTensors(IMetaAlgorithm algorithm, bool generators = true)
    {
        _model = algorithm.Model;
        _states = new GeneratorStates(_model);
        for (int i = 0; i < _model.Parameters.Count; i++)
        {
            _entries.Add(($"model.{_model.ParameterNames[i]}", _model.Parameters[i], -1));
        }

        var stepSizes = AlgorithmSettings.StepSizes(algorithm);
        for (int i = 0; i < stepSizes.Count; i++)
        {
            _entries.Add(($"step_sizes.{_model.ParameterNames[i]}", stepSizes[i], -1));
        }

        for (int i = 0; i < _model.Buffers.Count; i++)
        {
            _entries.Add(($"buffers.{_model.BufferNames[i]}", _model.Buffers[i], -1));
        }

        for (int i = 0; generators && i < _states.Tensors.Count; i++)
        {
            _entries.Add(($"generators.{_model.GeneratorNames[i]}", _states.Tensors[i], i));
        }

        foreach (var (name, value) in AlgorithmSettings.OwnParameters(algorithm))
        {
            _entries.Add(($"algorithm.{name}", value, -1));
        }
    }

    /// <summary>Each tensor's name in the file and its current value (a generator's state is a copy owned by this object).</summary>
    public IEnumerable<(string Name, Tensor Value)> Entries => _entries.Select(e => (e.Name, e.Value));

    /// <summary>Sets the tensor called <paramref name="name"/> to <paramref name="value"/> (of the same shape and dtype).</summary>
    public void Restore(string name, Tensor value)
    {
        var entry = _entries.Single(e => e.Name == name);
        if (entry.Generator >= 0)
        {
            _model.Generators[entry.Generator].set_state(value);
            return;
        }

        using var noGrad = no_grad();
        entry.Value.copy_(value);
    }

    public void Dispose() => _states.Dispose();
}
