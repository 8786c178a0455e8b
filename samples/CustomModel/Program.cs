// Brings a network written with TorchSharp's own nn API to MetaLearn: converts it with FunctionalModel.FromModule,
// meta-trains it on Omniglot episodes, compares it with the same network trained from scratch on each test task, and
// exports the meta-trained weights back to a TorchSharp module with ToModule.
using TorchSharp;
using TorchSharp.Modules;
using F = TorchSharp.torch.nn.functional;

string dataFolder = Path.Combine(AppContext.BaseDirectory, "data", "omniglot");
var iterations = new Option<int>("--iterations") { Description = "Meta-iterations.", DefaultValueFactory = _ => 3000 };
var algorithm = new Option<string>("--algorithm") { Description = "maml | fomaml | anil", DefaultValueFactory = _ => "maml" };
algorithm.AcceptOnlyFromAmong("anil", "maml", "fomaml");
var imageSize = new Option<int>("--image-size") { Description = "Side of the images in pixels (a multiple of 4).", DefaultValueFactory = _ => 16 };
var baselineIterations = new Option<int>("--baseline-iterations")
{
    Description = "Pre-training iterations of the fine-tuning baseline (the network without its head, a cosine classifier over all training classes).",
    DefaultValueFactory = _ => 1000,
};
var testTasks = new Option<int>("--test-tasks") { Description = "5-way 1-shot test episodes from the held-out alphabets.", DefaultValueFactory = _ => 100 };
var seed = new Option<int>("--seed") { Description = "Seed of the networks and the episodes.", DefaultValueFactory = _ => 0 };
var threads = new Option<int>("--threads") { Description = "Intra-op threads of libtorch.", DefaultValueFactory = _ => 2 };
var root = new RootCommand(
    "Converts a TorchSharp nn.Sequential, meta-trains it on Omniglot, and prints meta_accuracy=<...> finetune_accuracy=<...> scratch_accuracy=<...> export_max_abs_diff=<...>.")
{
    iterations, algorithm, imageSize, baselineIterations, testTasks, seed, threads,
};
var checkpoints = new CheckpointFlags();
checkpoints.AddTo(root);
root.SetAction(parse => checkpoints.Run(parse, session => Run(
    Path.Combine(dataFolder, "images_background_small1.zip"), Path.Combine(dataFolder, "images_background_small2.zip"),
    parse.GetValue(iterations), parse.GetValue(algorithm)!, parse.GetValue(imageSize), parse.GetValue(baselineIterations), parse.GetValue(testTasks), parse.GetValue(seed),
    parse.GetValue(threads), session)));
return root.Parse(args).Invoke();

static int Run(string trainPath, string testPath, int iterations, string name, int size, int pretraining, int tasks, int seed, int threads, CheckpointSession session)
{
    if (iterations < 1 || size < 4 || size % 4 != 0 || pretraining < 1 || tasks < 1 || threads < 1)
    {
        Console.Error.WriteLine("--iterations, --baseline-iterations, --test-tasks and --threads must be at least 1 and --image-size a positive multiple of 4.");
        return 2;
    }

    set_num_threads(threads);
    var imageOptions = ImageLoadOptions.Omniglot with { ImageSize = size };
    using var train = LabeledDataset.FromOmniglot(trainPath, imageOptions);
    using var testAlphabets = LabeledDataset.FromOmniglot(testPath, imageOptions);
    using var test = testAlphabets.ExceptGroups(train.Groups);
    var episodes = new EpisodicSamplerOptions { Ways = 5, Shots = 1, Queries = 5 };
    var trainSampler = TaskSamplers.Episodes(train, episodes with { Rotations = EpisodicSamplerOptions.AllRightAngles });
    var testSampler = TaskSamplers.Episodes(test, episodes with { SameGroup = true });
    Console.WriteLine($"Omniglot {size}x{size}: {train.Classes.Count} training characters, {test.Classes.Count} test characters of {test.Groups.Count} held-out alphabets.");

    // The user's network, exactly as one writes it with TorchSharp.
    using var net = Network(size, seed);
    using var model = FunctionalModel.FromModule(net, new ModuleConversionOptions { Seed = seed });
    Console.WriteLine($"Converted {model.Parameters.Count} parameters ({string.Join(", ", model.ParameterNames)}), " +
        $"{model.Buffers.Count} buffers; head from '{model.ParameterNames[model.HeadStart]}'; task-batched: {model.SupportsTaskBatching}.");

    using var learner = MetaAlgorithms.Create(name, model, new MetaAlgorithmOverrides { Steps = 1, StepSize = 0.4, Loss = Loss.CrossEntropy() });
    using var trainer = new MetaTrainer(learner, new MetaTrainerOptions
    {
        Iterations = iterations,
        MetaBatchSize = 4,
        OuterLearningRate = 1e-3,
        Seed = seed,
        ValidationInterval = 0,
        Checkpoint = session.Options(),
    });
    int start = session.Attach(trainer);
    var clock = Stopwatch.StartNew();
    var result = trainer.Train(trainSampler, cancellationToken: session.Stop);
    Console.WriteLine($"Meta-trained {name} from iteration {start} to {trainer.Iteration} in {clock.Elapsed.TotalSeconds:F0} s ({result.MedianIterationMilliseconds:F0} ms per meta-iteration) on {threads} intra-op thread(s).");

    int testSeed = Seeds.Derive(seed, 9, 0);
    double meta = Evaluator.Evaluate(learner, testSampler, tasks, testSeed).MeanAccuracy;
    double finetune = FineTuneAccuracy(train, testSampler, tasks, testSeed, size, seed, pretraining);
    double scratch = ScratchAccuracy(testSampler, tasks, testSeed, size, seed);

    // Export the meta-learned initialisation as a TorchSharp module and check it computes what the model computes.
    using var exported = model.ToModule();
    exported.eval();
    double difference;
    using (var scope = NewDisposeScope())
    {
        using var episode = testSampler.Sample(testSeed);
        var x = episode.QueryInputs[0];
        var functional = model.Forward(new[] { x }, model.Parameters, new ForwardContext { Training = false });
        difference = (exported.forward(x) - functional).abs().max().ToDouble();
    }

    Console.WriteLine($"meta_accuracy={meta:F4} finetune_accuracy={finetune:F4} scratch_accuracy={scratch:F4} export_max_abs_diff={difference:G3} (5-way 1-shot, {tasks} test tasks)");
    return 0;
}

// The issue's network; the image size is a parameter so that smaller images keep the sample fast. Without its head it
// is the embedding of the fine-tuning baseline.
static Sequential Network(int size, int seed, bool head = true)
{
    manual_seed(seed);
    var layers = new List<(string, nn.Module<Tensor, Tensor>)>
    {
        ("conv1", nn.Conv2d(1, 32, 3, padding: 1)), ("bn1", nn.BatchNorm2d(32)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
        ("conv2", nn.Conv2d(32, 32, 3, padding: 1)), ("bn2", nn.BatchNorm2d(32)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
        ("flat", nn.Flatten()), ("drop", nn.Dropout(0.1)),
    };
    if (head)
    {
        layers.Add(("head", nn.Linear(Features(size), 5)));
    }

    return nn.Sequential(layers.ToArray());
}

static int Features(int size) => 32 * (size / 4) * (size / 4);

// The fine-tuning baseline (Chen et al., 2019, Baseline++): the same network without its head, pre-trained with a
// cosine classifier over all training classes (characters and their rotations) on batches of 32 classes x 2 drawings,
// then, for each test task, a new cosine classifier fitted on the support set's embeddings (FineTuning.Adapt), scored on
// the same test episodes.
static double FineTuneAccuracy(LabeledDataset train, ITaskSampler testSampler, int tasks, int testSeed, int size, int seed, int iterations)
{
    using var net = Network(size, seed, head: false);
    using var model = FunctionalModel.FromModule(net, new ModuleConversionOptions { Seed = seed });
    var batchOptions = new EpisodicSamplerOptions
    {
        Ways = 32, Shots = 1, Queries = 1, Rotations = EpisodicSamplerOptions.AllRightAngles, DatasetLabels = true,
    };
    var batches = TaskSamplers.Episodes(train, batchOptions);
    using var baseline = new FineTuning(model, new FineTuningOptions { Classes = batchOptions.CountClasses(train), Features = Features(size), Seed = seed });
    using var trainer = new MetaTrainer(baseline, new MetaTrainerOptions { Iterations = iterations, MetaBatchSize = 1, OuterLearningRate = 1e-3, Seed = seed });
    var clock = Stopwatch.StartNew();
    var result = trainer.Train(batches);
    Console.WriteLine($"Pre-trained the fine-tuning baseline for {iterations} iterations in {clock.Elapsed.TotalSeconds:F0} s ({result.MedianIterationMilliseconds:F0} ms each).");
    return Evaluator.Evaluate(baseline, testSampler, tasks, testSeed).MeanAccuracy;
}

// The same network, freshly initialised for each test task and trained on its support set alone (Adam, 50 steps),
// scored on the query set in evaluation mode (dropout off, batch norm with the running statistics of its 50 steps),
// as the meta-learned model's predictions are.
static double ScratchAccuracy(ITaskSampler sampler, int tasks, int testSeed, int size, int seed)
{
    double correct = 0;
    for (int t = 0; t < tasks; t++)
    {
        using var episode = sampler.Sample(Seeds.Derive(testSeed, 7, t)); // the episodes Evaluator.Evaluate draws
        using var net = Network(size, seed + 1 + t);
        using var optimizer = optim.Adam(net.parameters(), 1e-2);
        net.train();
        for (int step = 0; step < 50; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            F.cross_entropy(net.forward(episode.SupportInputs[0]), episode.SupportTargets).backward();
            optimizer.step();
        }

        net.eval();
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var logits = net.forward(episode.QueryInputs[0]);
            correct += logits.argmax(1).eq(episode.QueryTargets).to(ScalarType.Float64).mean().ToDouble();
        }
    }

    return correct / tasks;
}
