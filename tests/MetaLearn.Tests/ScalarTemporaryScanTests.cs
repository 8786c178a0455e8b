using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace MetaLearn.Tests;

/// <summary>
/// Fails when library code makes a temporary native TorchSharp Scalar (see src/MetaLearn/ScalarMath.cs for why they are
/// unsafe once a second thread allocates). A text pattern cannot tell <c>sum + term</c> on tensors from the same on
/// ints, so the scan compiles src/**/*.cs with Roslyn and uses the bound types: it flags (1) every implicit conversion
/// of a number to <c>TorchSharp.Scalar</c>, (2) TorchSharp's tensor operators with a plain number (<c>t * 0.5</c>),
/// which convert it inside, and (3) every call of a TorchSharp member that passes a literal on to another
/// overload as a Scalar (measured from TorchSharp 0.107's code), such as <c>a + b</c> on tensors or <c>square()</c>.
/// </summary>
public sealed class ScalarTemporaryScanTests
{
    /// <summary>
    /// TorchSharp 0.107 members that make a temporary Scalar themselves: each forwards to another overload with a
    /// literal (e.g. <c>add(Tensor target) => add(target, 1)</c>, <c>square() => pow(2)</c>).
    /// </summary>
    private static readonly HashSet<string> TemporaryMakingMembers = new(StringComparer.Ordinal)
    {
        "Tensor.add(Tensor)", "Tensor.add_(Tensor)", "Tensor.add(Scalar)", "Tensor.add_(Scalar)",
        "Tensor.addcdiv(Tensor, Tensor)", "Tensor.addcdiv_(Tensor, Tensor)", "Tensor.square()",
        "Tensor.celu()", "Tensor.celu_()", "Tensor.elu(double)", "Tensor.elu_(double)",
        "Tensor.operator +(Tensor, Tensor)",
        "torch.arange(Scalar, ScalarType?, Device?, bool)", "torch.arange(Scalar, Scalar, ScalarType?, Device?, bool)",
    };

    /// <summary>
    /// TorchSharp 0.107 members any overload of which makes Scalars inside (found in its IL: calls to
    /// <c>Scalar.op_Implicit</c> or <c>ToScalar</c>). <c>tensor.ToDouble()</c> is <c>tensor.ToScalar().ToDouble()</c>, whose
    /// Scalar nothing references during the read: the soak run aborted in libtorch's <c>Scalar::toLong</c> from
    /// <c>targets.min().ToInt64()</c> within a minute.
    /// </summary>
    private static readonly HashSet<string> TemporaryMakingNames = new(StringComparer.Ordinal)
    {
        "TensorExtensionMethods.ToDouble", "TensorExtensionMethods.ToSingle", "TensorExtensionMethods.ToInt64",
        "TensorExtensionMethods.ToInt32", "TensorExtensionMethods.ToInt16", "TensorExtensionMethods.ToByte",
        "TensorExtensionMethods.ToSByte", "TensorExtensionMethods.ToBoolean", "TensorExtensionMethods.ToHalf",
        "TensorExtensionMethods.ToBFloat16", "TensorExtensionMethods.ToComplexFloat32", "TensorExtensionMethods.ToComplexFloat64",
        "linalg.vector_norm", "linalg.matrix_norm", "functional.hardtanh", "functional.leaky_relu", "functional.threshold",
        "functional.softplus", "functional.celu", "functional.hardshrink", "functional.softshrink", "Tensor.tolist",
        "torch.normal", "BatchNorm.forward", "GaussianNLLLoss.forward",
    };

    /// <summary>
    /// Sites allowed to make a temporary anyway, as "file: code" with the reason. Empty today: every site holds its Scalars.
    /// </summary>
    private static readonly Dictionary<string, string> AllowList = new(StringComparer.Ordinal);

    [Fact]
    [Trait("Category", "Slow")]
    public void Library_MakesNoTemporaryScalars()
    {
        string src = Path.Combine(RepoRoot(), "src");
        var files = Directory.GetFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToArray();
        files.Should().Contain(f => f.EndsWith("ScalarMath.cs", StringComparison.Ordinal));

        var findings = Scan(files.Select(f => (Path.GetRelativePath(src, f), File.ReadAllText(f))))
            .Where(f => !AllowList.ContainsKey(f))
            .ToList();

        // Joined, so the failure lists every site (BeEmpty on a collection shows only the first).
        string.Join(Environment.NewLine, findings).Should().BeEmpty(
            "a temporary Scalar can be freed mid-call by a collection another thread triggers; hold it " +
            "(using var s = x.ToScalar()), use ScalarMath (Times, Plus, Squared, Filled, ClampInPlace, ClassLabels) " +
            "or a tensor-tensor operation, or add the site to AllowList with the reason it is safe");
    }

    [Fact]
    public void Scan_PlantedTemporaries_AreEachReported()
    {
        const string code = """
            using TorchSharp;
            using static TorchSharp.torch;
            internal static class Planted
            {
                public static Tensor Run(Tensor a, Tensor b, double d)
                {
                    using var held = d.ToScalar();
                    var safe = a.mul(held).sub(b).mul(b);
                    var x = a * 0.5;
                    var y = a + b;
                    var z = a.square();
                    var w = full(new long[] { 2 }, d);
                    var v = a.clamp_(0.0, 1.0);
                    double m = a.max().ToDouble();
                    return safe + x;
                }
            }
            """;

        var findings = Scan(new[] { ("Planted.cs", code) }).ToList();

        findings.Should().HaveCount(8);
        findings.Should().Contain(f => f.Contains("TensorExtensionMethods.ToDouble", StringComparison.Ordinal));
        findings.Should().Contain(f => f.Contains("var x = a * 0.5", StringComparison.Ordinal) && f.Contains("operator *(Tensor, double)", StringComparison.Ordinal));
        findings.Should().Contain(f => f.Contains("operator +(Tensor, Tensor)", StringComparison.Ordinal) && f.Contains("var y", StringComparison.Ordinal));
        findings.Should().Contain(f => f.Contains("Tensor.square()", StringComparison.Ordinal));
        findings.Where(f => f.Contains("clamp_", StringComparison.Ordinal)).Should().HaveCount(2);
        findings.Should().NotContain(f => f.Contains("var safe", StringComparison.Ordinal));
    }

    /// <summary>Each finding reads "file: code — what makes the temporary".</summary>
    private static IEnumerable<string> Scan(IEnumerable<(string Path, string Code)> sources)
    {
        var trees = sources.Select(s => CSharpSyntaxTree.ParseText(s.Code, new CSharpParseOptions(LanguageVersion.Preview), s.Path)).ToArray();
        var compilation = CSharpCompilation.Create(
            "Scan",
            trees,
            References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        foreach (var tree in trees.Where(t => t.GetText().ToString().Contains("TorchSharp", StringComparison.Ordinal)))
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var node in tree.GetRoot().DescendantNodes())
            {
                // A number becomes a Scalar where it is passed, combined with an operator, assigned or returned.
                if (node is ExpressionSyntax expression
                    && node.Parent is ArgumentSyntax or BinaryExpressionSyntax or EqualsValueClauseSyntax or AssignmentExpressionSyntax or ReturnStatementSyntax or ArrowExpressionClauseSyntax
                    && IsImplicitScalarConversion(model, expression))
                {
                    yield return Finding(tree, node, $"implicit {model.GetTypeInfo(expression).Type} -> Scalar");
                }

                if (node is InvocationExpressionSyntax or BinaryExpressionSyntax or AssignmentExpressionSyntax
                    && model.GetSymbolInfo(node).Symbol is IMethodSymbol method
                    && method.ContainingAssembly?.Name == "TorchSharp"
                    && (TemporaryMakingMembers.Contains(Display(method)) || TemporaryMakingNames.Contains($"{method.ContainingType.Name}.{method.Name}") || IsNumberOperator(method)))
                {
                    yield return Finding(tree, node, $"{Display(method)} makes its own temporary");
                }
            }
        }
    }

    private static bool IsImplicitScalarConversion(SemanticModel model, ExpressionSyntax expression)
    {
        var info = model.GetTypeInfo(expression);
        if (info.Type is null || info.ConvertedType?.Name != "Scalar" || info.ConvertedType.ContainingNamespace?.ToDisplayString() != "TorchSharp")
        {
            return false;
        }

        return !SymbolEqualityComparer.Default.Equals(info.Type, info.ConvertedType) && model.GetConversion(expression).IsUserDefined;
    }

    /// <summary>TorchSharp's tensor operators taking a plain number (<c>t * 0.5</c>) convert it to a Scalar inside.</summary>
    private static bool IsNumberOperator(IMethodSymbol method) =>
        method.MethodKind == MethodKind.UserDefinedOperator
        && method.Parameters.Any(p => p.Type.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Single or SpecialType.System_Double);

    private static string Display(IMethodSymbol method)
    {
        string name = method.MethodKind == MethodKind.UserDefinedOperator ? "operator " + method.Name switch
        {
            "op_Addition" => "+",
            "op_Subtraction" => "-",
            "op_Multiply" => "*",
            "op_Division" => "/",
            _ => method.Name,
        } : method.Name;
        string type = method.ContainingType.Name;
        var parameters = method.Parameters.Select(p => p.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat));
        return $"{type}.{name}({string.Join(", ", parameters)})";
    }

    private static string Finding(SyntaxTree tree, SyntaxNode node, string what)
    {
        var line = tree.GetLineSpan(node.Span).StartLinePosition.Line;
        string code = tree.GetText().Lines[line].ToString().Trim();
        return $"{tree.FilePath}:{line + 1}: {code} — {what}";
    }

    private static List<MetadataReference> References()
    {
        string[] platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        string[] local = Directory.GetFiles(AppContext.BaseDirectory, "*.dll");
        return platform.Concat(local)
            .Where(p => !Path.GetFileName(p).StartsWith("MetaLearn", StringComparison.Ordinal))
            .GroupBy(Path.GetFileName)
            .Select(g => (MetadataReference)MetadataReference.CreateFromFile(g.First()))
            .ToList();
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MetaLearn.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No MetaLearn.sln above {AppContext.BaseDirectory}.");
    }
}
