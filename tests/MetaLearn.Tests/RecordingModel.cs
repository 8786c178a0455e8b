using MetaLearn.Models;
using static TorchSharp.torch;

namespace MetaLearn.Tests;

/// <summary>Forwards to a model and records, for every forward pass, its context and the thread's live-tensor count at its start.</summary>
internal sealed class RecordingModel(IFunctionalModel inner) : IFunctionalModel
{
    public List<ForwardContext> Contexts { get; } = new();

    public List<long> LiveCounts { get; } = new();

    public IReadOnlyList<TorchSharp.Modules.Parameter> Parameters => inner.Parameters;

    public IReadOnlyList<string> ParameterNames => inner.ParameterNames;

    public int HeadStart => inner.HeadStart;

    public Device Device => inner.Device;

    public ScalarType DType => inner.DType;

    public bool SupportsTaskBatching => inner.SupportsTaskBatching;

    public Tensor Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> weights, ForwardContext context)
    {
        Contexts.Add(context);
        LiveCounts.Add(TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        return inner.Forward(inputs, weights, context);
    }

    public void Dispose()
    {
    }
}
