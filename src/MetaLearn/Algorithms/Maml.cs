namespace MetaLearn.Algorithms;

/// <summary>
/// Model-Agnostic Meta-Learning (Finn et al., 2017): meta-learns an initialisation from which a few gradient steps on
/// a task's support set do well on its query set. Second-order by default (gradients flow through the inner steps);
/// <see cref="FirstOrder"/> drops the second-order terms. MAML++ options (multi-step loss, derivative-order
/// annealing, per-step step sizes, per-step batch norm) are set through <see cref="InnerLoopOptions"/> and the model.
/// </summary>
public sealed class Maml : MamlVariant
{
    /// <summary>Creates MAML over <paramref name="model"/> (not owned).</summary>
    public Maml(IFunctionalModel model, InnerLoopOptions? options = null)
        : base((options ?? new InnerLoopOptions()).FirstOrder ? "fomaml" : "maml", model, options ?? new InnerLoopOptions(), headOnly: false)
    {
    }

    /// <summary>First-order MAML: <paramref name="options"/> with <see cref="InnerLoopOptions.FirstOrder"/> set.</summary>
    public static Maml FirstOrder(IFunctionalModel model, InnerLoopOptions? options = null) =>
        new(model, (options ?? new InnerLoopOptions()) with { FirstOrder = true });
}
