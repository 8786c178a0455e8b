namespace MetaLearn.Sampling;

/// <summary>How a synthetic modality maps its latent variables to its features.</summary>
public enum ModalityProjection
{
    /// <summary>x = A z: a fixed random matrix A with orthonormal columns (or rows, when there are fewer features than latent variables).</summary>
    Linear,

    /// <summary>x = tanh(A z), element-wise: the same matrix, then a saturating non-linearity.</summary>
    NonLinear,
}
