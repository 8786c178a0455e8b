namespace MetaLearn.Algorithms;

/// <summary>The classifier <see cref="FineTuning"/> puts on the embedding, in pre-training and on each task's support set.</summary>
public enum FineTuningHead
{
    /// <summary>A linear layer, logits = W f + b ("Baseline" of Chen et al., 2019).</summary>
    Linear,

    /// <summary>
    /// Cosine similarity to each class's weight vector times a fixed scale, logits = s · cos(f, w_c) ("Baseline++" of
    /// Chen et al., 2019); on a task's support set the weights start at the normalised class means.
    /// </summary>
    Cosine,
}
