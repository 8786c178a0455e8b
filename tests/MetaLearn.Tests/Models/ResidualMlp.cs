using MetaLearn.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MetaLearn.Tests.Models;

/// <summary>
/// A network over feature vectors whose forward is code (a residual sum), which <see cref="FunctionalModel.FromModule"/>
/// does not convert: linear, batch norm (running statistics), ReLU, a residual linear layer, dropout. Float32, values
/// from a seeded generator. Registered as a module kind for learner files in both test processes (<see cref="Kind"/>).
/// </summary>
internal sealed class ResidualMlp : nn.Module<Tensor, Tensor>
{
    /// <summary>The module kind the test assembly registers for learner files (also in its second process).</summary>
    public const string Kind = "test-residual-mlp";

    /// <summary>Features per example out of the network.</summary>
    public const int Features = 8;

    private readonly Linear fc1;
    private readonly BatchNorm1d bn1;
    private readonly Linear fc2;
    private readonly Dropout drop;

    public ResidualMlp(int inputs = 4, double dropout = 0, long seed = 1)
        : base(nameof(ResidualMlp))
    {
        fc1 = nn.Linear(inputs, Features);
        bn1 = nn.BatchNorm1d(Features);
        fc2 = nn.Linear(Features, Features);
        drop = nn.Dropout(dropout);
        RegisterComponents();
        using var generator = new Generator((ulong)seed);
        using var noGrad = no_grad();
        foreach (var p in parameters())
        {
            p.uniform_(-0.5, 0.5, generator: generator);
        }
    }

    /// <summary>Registers <see cref="Kind"/> (4 inputs, no dropout).</summary>
    public static void Register() => MetaLearn.Deployment.ModelArchitectures.RegisterModule(Kind, () => new ResidualMlp());

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var h = F.relu(bn1.forward(fc1.forward(input)));
        return drop.forward(h.Plus(F.tanh(fc2.forward(h)))).MoveToOuterDisposeScope();
    }
}
