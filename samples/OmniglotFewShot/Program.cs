// Meta-trains a few-shot Omniglot classifier (ProtoNets, MAML, first-order MAML or ANIL) on background alphabets, beside
// the fine-tuning baseline and a network trained from scratch per task, and reports 20-way and 5-way 1-shot
// within-alphabet accuracies on held-out alphabets, and optionally the error on Lake et al.'s runs.
using OmniglotFewShot;

string dataFolder = Path.Combine(AppContext.BaseDirectory, "data", "omniglot");
var algorithm = new Option<string>("--algorithm") { Description = "protonet | maml | fomaml | anil", DefaultValueFactory = _ => "protonet" };
algorithm.AcceptOnlyFromAmong("protonet", "maml", "fomaml", "anil");
var modelKind = new Option<string>("--model")
{
    Description = "conv4gn (Conv4 with group norm: 576 features at 48x48 and 56x56) | conv4gn576 (the same without pooling after the last block: 576 features at 28x28) | " +
        "conv4 (with batch norm) | resnet12 | resnet18 (TorchVision's, as a backbone: protonet or anil)",
    DefaultValueFactory = _ => "conv4gn",
};
modelKind.AcceptOnlyFromAmong("conv4gn576", "conv4gn", "conv4", "resnet12", "resnet18");
var imageSize = new Option<int>("--image-size")
{
    Description = "Side in pixels the 105x105 images are resized to, in [16, 105] (the README compares 28, 48 and 56).",
    DefaultValueFactory = _ => 48,
};
var batchNorm = new Option<BatchNormStatistics>("--batch-norm")
{
    Description = "--model conv4's batch norm: Support (each task's support statistics), Running (train/eval running statistics) or Transductive (each call's own rows).",
    DefaultValueFactory = _ => BatchNormStatistics.Support,
};
var augment = new Option<bool>("--augment")
{
    Description = "Distort training images at random (rotation 15, shear 10 degrees, scale 15 %, shift 10 %); --augment false turns it off.",
    DefaultValueFactory = _ => true,
};
var background = new Option<string>("--background")
{
    Description = "Training alphabets: an Omniglot zip or folder (<Alphabet>/<character>/<drawing>.png).",
    DefaultValueFactory = _ => Path.Combine(dataFolder, "images_background_small1.zip"),
};
var validation = new Option<string>("--validation")
{
    Description = "Validation alphabets (zip or folder); alphabets also in --background are left out.",
    DefaultValueFactory = _ => Path.Combine(dataFolder, "images_background_small2.zip"),
};
var evalRuns = new Option<string?>("--eval-runs") { Description = "A folder holding run01..run20 of Lake et al.'s one-shot benchmark; scores them when given." };
var ways = new Option<int>("--ways")
{
    Description = "Classes per training episode (protonet only may change it: the others have a 20-way head).",
    DefaultValueFactory = _ => FewShotSettings.EvaluationWays,
};
var shots = new Option<int>("--shots") { Description = "Support examples per class in training episodes.", DefaultValueFactory = _ => 1 };
var queries = new Option<int>("--queries") { Description = "Query examples per class in training episodes.", DefaultValueFactory = _ => 5 };
var sameAlphabet = new Option<bool>("--same-alphabet") { Description = "Draw each training episode from one alphabet (as the evaluation does)." };
var metaBatch = new Option<int?>("--meta-batch") { Description = "Episodes per meta-iteration [protonet 1, others 8]." };
var learningRate = new Option<double>("--lr") { Description = "Adam learning rate of the outer loop.", DefaultValueFactory = _ => 1e-3 };
var schedule = new Option<string>("--lr-schedule")
{
    Description = "constant | cosine (from --lr down to 0 over the pre-training and again over the meta-training iterations).",
    DefaultValueFactory = _ => "constant",
};
schedule.AcceptOnlyFromAmong("constant", "cosine");
var iterations = new Option<int>("--iterations") { Description = "Meta-iterations: with the same seed and --threads, the same model on any machine.", DefaultValueFactory = _ => 3000 };
var baselineIterations = new Option<int>("--baseline-iterations")
{
    Description = "Pre-training iterations of the fine-tuning baseline (a cosine classifier over all training classes).",
    DefaultValueFactory = _ => 1300,
};
var baselineWays = new Option<int>("--baseline-ways") { Description = "Classes per pre-training batch (2 drawings each).", DefaultValueFactory = _ => 64 };
var fromBaseline = new Option<bool>("--from-baseline")
{
    Description = "Meta-train protonet from the fine-tuning baseline's pre-trained embedding; --from-baseline false starts from scratch.",
    DefaultValueFactory = _ => true,
};
var scratchEpisodes = new Option<int>("--scratch-episodes") { Description = "Episodes of the from-scratch baseline, 20-way and 5-way each.", DefaultValueFactory = _ => 50 };
var timeBudget = new Option<double?>("--time-budget") { Description = "Also stop meta-training after this many minutes (then the result depends on the machine's speed); default none." };
var validationInterval = new Option<int>("--validation-interval")
{
    Description = "Iterations between model-selection validations on 100 episodes, keeping the best (needs --average-last 0); 0: none.",
    DefaultValueFactory = _ => 0,
};
var averageLast = new Option<double>("--average-last")
{
    Description = "Share of the meta-training iterations, counted back from the last, whose parameters are averaged into the final model " +
        "(stochastic weight averaging); 0: keep the last parameters, or the selected ones with --validation-interval.",
    DefaultValueFactory = _ => 0.5,
};
var averageEvery = new Option<int>("--average-every") { Description = "Iterations between the averaged snapshots.", DefaultValueFactory = _ => 10 };
var validationEpisodes = new Option<int>("--validation-episodes") { Description = "Episodes of the final validation report, 20-way and 5-way each.", DefaultValueFactory = _ => 200 };
var innerStepSize = new Option<double>("--inner-step-size") { Description = "Inner-loop step size (maml, fomaml, anil).", DefaultValueFactory = _ => 0.4 };
var innerSteps = new Option<int>("--inner-steps") { Description = "Inner-loop steps while meta-training (maml, fomaml, anil).", DefaultValueFactory = _ => 1 };
var testInnerSteps = new Option<int>("--test-inner-steps") { Description = "Inner-loop steps on validation and test episodes (maml, fomaml, anil).", DefaultValueFactory = _ => 3 };
var seed = new Option<int>("--seed") { Description = "Seed of the model and the episodes.", DefaultValueFactory = _ => 0 };
var threads = new Option<int>("--threads") { Description = "Intra-op threads of libtorch.", DefaultValueFactory = _ => 2 };
var glibcHeap = new Option<bool>("--glibc-heap")
{
    Description = "On Linux, tell glibc to keep freed memory (mmap and trim thresholds 2 GiB): 60-way episodes ran 3 to 6 times faster " +
        "in the README's measurements; --glibc-heap false leaves the allocator alone. The results do not depend on it.",
    DefaultValueFactory = _ => true,
};

var root = new RootCommand(
    "Meta-trains on Omniglot background alphabets and prints error_rate=<mean 20-way 1-shot within-alphabet error> " +
    "over the validation episodes, or over Lake et al.'s runs when --eval-runs is given.")
{
    algorithm, modelKind, imageSize, batchNorm, augment, background, validation, evalRuns, ways, shots, queries, sameAlphabet, metaBatch, learningRate, schedule, iterations,
    timeBudget, baselineIterations, baselineWays, fromBaseline, scratchEpisodes, validationInterval, averageLast, averageEvery, validationEpisodes, innerStepSize, innerSteps, testInnerSteps,
    seed, threads, glibcHeap,
};
var checkpoints = new CheckpointFlags();
checkpoints.AddTo(root);
root.SetAction(parse =>
{
    if (parse.GetValue(glibcHeap) && GlibcHeap.KeepFreedMemory())
    {
        Console.WriteLine("glibc heap: freed memory is kept (--glibc-heap false to leave the allocator alone)");
    }
    string name = parse.GetValue(algorithm)!;
    bool protonet = name == "protonet";
    var settings = new FewShotSettings
    {
        Algorithm = name,
        Model = parse.GetValue(modelKind)!,
        ImageSize = parse.GetValue(imageSize),
        BatchNorm = parse.GetValue(batchNorm),
        Augment = parse.GetValue(augment),
        Background = parse.GetValue(background)!,
        Validation = parse.GetValue(validation)!,
        EvalRuns = parse.GetValue(evalRuns),
        Ways = parse.GetValue(ways),
        Shots = parse.GetValue(shots),
        Queries = parse.GetValue(queries),
        SameAlphabet = parse.GetValue(sameAlphabet),
        MetaBatch = parse.GetValue(metaBatch) ?? (protonet ? 1 : 8),
        LearningRate = parse.GetValue(learningRate),
        CosineSchedule = parse.GetValue(schedule) == "cosine",
        Iterations = parse.GetValue(iterations),
        TimeBudgetMinutes = parse.GetValue(timeBudget),
        BaselineIterations = parse.GetValue(baselineIterations),
        BaselineWays = parse.GetValue(baselineWays),
        FromBaseline = protonet && parse.GetValue(fromBaseline),
        ScratchEpisodes = parse.GetValue(scratchEpisodes),
        ValidationInterval = parse.GetValue(validationInterval),
        AverageLast = parse.GetValue(averageLast),
        AverageEvery = parse.GetValue(averageEvery),
        ValidationEpisodes = parse.GetValue(validationEpisodes),
        InnerStepSize = parse.GetValue(innerStepSize),
        InnerSteps = parse.GetValue(innerSteps),
        TestInnerSteps = parse.GetValue(testInnerSteps),
        Seed = parse.GetValue(seed),
        Threads = parse.GetValue(threads),
    };
    return checkpoints.Run(parse, session => FewShotRun.Run(settings, session));
});
return root.Parse(args).Invoke();
