using MetaLearn.Algorithms;
using MetaLearn.Models;

namespace MetaLearn.Tests;

/// <summary>Creates algorithms by name for tests that run every algorithm.</summary>
internal static class TestAlgorithms
{
    /// <summary>
    /// <see cref="MetaAlgorithms.Create"/> with <paramref name="steps"/> inner steps of <paramref name="stepSize"/> for the
    /// algorithms that have inner steps, and the defaults for those that have none (ProtoNets, R2D2), which refuse them.
    /// </summary>
    public static IMetaAlgorithm Create(string name, IFunctionalModel model, int steps, double stepSize) =>
        MetaAlgorithms.Create(name, model, MetaAlgorithms.HasInnerSteps(name) ? new MetaAlgorithmOverrides { Steps = steps, StepSize = stepSize } : null);
}
