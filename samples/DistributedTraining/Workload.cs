namespace DistributedTraining;

/// <summary>
/// The training every role runs: second-order MAML on Conv4 over 5-way 1-shot Omniglot episodes (the vendored
/// background alphabets, with rotations), validated on 5-way 1-shot episodes of the other alphabets. Conv4 runs each
/// task on its own (its default), which is the decomposition the workers compute, so `local` and `coordinator` give
/// equal results for equal seeds, iterations and thread counts.
/// </summary>
internal sealed class Workload : IDisposable
{
    public const int Ways = 5;

    private readonly LabeledDataset _background;
    private readonly LabeledDataset? _validationAll;
    private readonly LabeledDataset? _validation;

    public Workload(bool withValidation)
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "data", "omniglot");
        _background = LabeledDataset.FromOmniglot(Path.Combine(folder, "images_background_small1.zip"));
        Training = TaskSamplers.Episodes(_background, new EpisodicSamplerOptions { Ways = Ways, Shots = 1, Queries = 5, Rotations = EpisodicSamplerOptions.AllRightAngles });
        if (withValidation)
        {
            _validationAll = LabeledDataset.FromOmniglot(Path.Combine(folder, "images_background_small2.zip"));
            _validation = _validationAll.ExceptGroups(_background.Groups);
            Validation = TaskSamplers.Episodes(_validation, new EpisodicSamplerOptions { Ways = Ways, Shots = 1, Queries = 5 });
        }
    }

    /// <summary>The training episodes (what a worker draws its tasks from).</summary>
    public ITaskSampler Training { get; }

    /// <summary>The validation episodes (coordinator and local only).</summary>
    public ITaskSampler? Validation { get; }

    /// <summary>A new model and the MAML algorithm over it.</summary>
    public static (Conv4 Model, IMetaAlgorithm Algorithm) CreateAlgorithm(int seed)
    {
        var model = new Conv4(new Conv4Options { Ways = Ways, Seed = seed });
        return (model, new Maml(model, new InnerLoopOptions { Steps = 1, StepSize = 0.4 }));
    }

    public void Dispose()
    {
        _validation?.Dispose();
        _validationAll?.Dispose();
        _background.Dispose();
    }
}
