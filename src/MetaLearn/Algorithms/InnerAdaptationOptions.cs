using MetaLearn.Deployment;

namespace MetaLearn.Algorithms;

/// <summary>
/// The options shared by the algorithms that adapt with their own gradient steps per task (<see cref="ReptileOptions"/>,
/// <see cref="ImamlOptions"/>, <see cref="CaviaOptions"/>): how many steps, how large and on which loss
/// (task batching comes from <see cref="MetaAlgorithmOptions"/>). The defaults of <see cref="Steps"/> and <see cref="StepSize"/> are
/// each algorithm's (see the derived records).
/// </summary>
public abstract record InnerAdaptationOptions : MetaAlgorithmOptions
{
    /// <summary>Sets each algorithm's default number and size of inner steps.</summary>
    private protected InnerAdaptationOptions(int steps, double stepSize)
    {
        Steps = steps;
        StepSize = stepSize;
    }

    /// <summary>Gradient steps per task. <value>At least 1; the default is the algorithm's.</value></summary>
    [SettingKey("innerSteps")]
    public int Steps { get; init => field = OptionChecks.AtLeast(value, 1, nameof(Steps), "The inner loop needs at least one step."); }

    /// <summary>The inner gradient step size. <value>Positive and finite; the default is the algorithm's.</value></summary>
    [SettingKey("innerStepSize")]
    public double StepSize { get; init => field = OptionChecks.PositiveFinite(value, nameof(StepSize), "The inner step size must be positive and finite (e.g. 0.01)."); }

    /// <summary>
    /// The loss of the inner steps and of the query (see <see cref="InnerLoopOptions.Loss"/>).
    /// </summary>
    /// <value>Default <see cref="Loss.ByTaskKind"/>. Not null.</value>
    public Loss Loss { get; init => field = OptionChecks.NotNull(value, nameof(Loss)); } = Loss.ByTaskKind;
}
