using TorchSharp.PyBridge;

namespace MetaLearn.Models;

/// <summary>
/// PyTorch weights in and out: loads a state dict that PyTorch saved (<c>torch.save(model.state_dict(), path)</c>) into
/// a TorchSharp module (a backbone such as TorchVision's ResNet-18, or any <see cref="nn.Module"/>) or into a MetaLearn
/// model, and saves one that PyTorch's <c>torch.load</c> and <c>load_state_dict</c> accept. TorchSharp.PyBridge reads
/// and writes the zip and pickle format.
/// </summary>
/// <remarks>
/// <para><b>Names.</b> A module's tensors are named as <c>module.state_dict()</c> names them (<c>0.weight</c>,
/// <c>layer1.0.bn1.running_mean</c>), which are PyTorch's names for the same module tree (checked once by hand: TorchVision's
/// ResNet-18 took the 122 tensors of a PyTorch ResNet-18 and gave its outputs within 1e-7). A model's tensors are its <see cref="IFunctionalModel.ParameterNames"/> and
/// <see cref="IFunctionalModel.BufferNames"/>: for a model converted with <see cref="FunctionalModel.FromModule"/> these
/// are the module's names, and <see cref="Mlp"/>'s are those of a PyTorch <c>nn.Sequential</c> of <c>layer{i}</c>
/// (<c>nn.Linear</c>) and <c>relu{i}</c> modules. <see cref="Conv4"/> names its batch-norm scale and shift
/// <c>block{b}.norm.scale</c> and <c>.shift</c> where a PyTorch module has <c>weight</c> and <c>bias</c>, so a file
/// with PyTorch's names loads into <c>Conv4.ToModule()</c> or into a module converted with
/// <see cref="FunctionalModel.FromModule"/>, not into a <see cref="Conv4"/> itself.</para>
/// <para><b>Strict, all or nothing.</b> Like PyTorch's <c>load_state_dict(strict=True)</c>, loading refuses a file with
/// missing or unexpected names, and (in either mode, as PyTorch does for shapes) one whose tensors differ in shape or
/// dtype from the target's, with one <see cref="InvalidDataException"/> that names every such key. Every check runs
/// before anything is copied, and the values are read into staging tensors (sized by the target, on the CPU: memory for
/// one more copy of the loaded tensors) before any is copied into the target, so a refused or broken file leaves the
/// target as it was. Tensors must be stored as <c>torch.save</c> stores a module's state dict: each contiguous at the
/// start of its storage.</para>
/// <para><b>Untrusted files.</b> The file's length is checked against <see cref="InputLimits.MaxFileBytes"/> before it
/// is read (it is read whole into memory). No tensor is allocated from a shape the file declares: only the sizes of the
/// target's own tensors are allocated, and a storage is read only up to the bytes its target needs. TorchSharp.PyBridge's
/// unpickler (Razorvine.Pickle) allocates the lengths a pickle declares before reading them, and this cannot be bounded
/// from outside, so the pickle is checked before it runs: every declared length must lie within the pickle (itself read
/// without trusting the size its zip entry declares), only the opcodes of a state dict saved by <c>torch.save</c> are
/// accepted, and an estimate of what unpickling allocates (at most 256 bytes per opcode, three times each argument's
/// bytes, 64 KiB per tensor for the entry stream PyBridge opens) must also stay within
/// <see cref="InputLimits.MaxFileBytes"/>. The zip's central directory is parsed by .NET's
/// <see cref="System.IO.Compression.ZipArchive"/>, whose memory grows with the number of entries the file holds.
/// Loading runs no code from the file: Razorvine.Pickle maps the class names a pickle refers to onto a fixed set of .NET
/// constructors (PyBridge's for tensors and ordered dictionaries among them), and an entry that is not a tensor is
/// refused.</para>
/// <para><b>Ownership.</b> Nothing returned holds a tensor: values are copied into the target's own tensors (on their
/// device), and every tensor made while loading or saving is disposed before the method returns. The caller keeps
/// owning the module or model, and must not train or run it on another thread while it loads.</para>
/// <para>Tested with files of PyTorch 1.13, which also loads the files <c>Save</c> writes
/// (<c>torch.load(path, weights_only=True)</c>, <c>load_state_dict(strict=True)</c>) and reproduces the outputs.</para>
/// </remarks>
/// <example>
/// <code>
/// using var backbone = torchvision.models.resnet18(num_classes: 5);
/// PyTorchWeights.Load(backbone, "resnet18.pt");        // written by torch.save(model.state_dict(), "resnet18.pt")
///
/// using var model = FunctionalModel.FromModule(net);   // a converted module keeps the module's names
/// PyTorchWeights.Load(model, "net.pt");
/// // ... meta-train the model ...
/// PyTorchWeights.Save(model, "meta-trained.pt");       // Python: net.load_state_dict(torch.load("meta-trained.pt"))
/// </code>
/// </example>
public static class PyTorchWeights
{
    /// <summary>Loads the state dict at <paramref name="path"/> into <paramref name="module"/>'s parameters and buffers.</summary>
    /// <param name="module">The module; its tensors are named as <c>module.state_dict()</c> names them.</param>
    /// <param name="path">A file saved by <c>torch.save(model.state_dict(), path)</c> (the zip format of PyTorch 1.6 and later) or by <see cref="Save(nn.Module, string)"/>.</param>
    /// <param name="strict">True (the default) refuses a file with missing or unexpected names; false loads the names both have and reports the others.</param>
    /// <param name="limits">The limits an untrusted file is held to; null for <see cref="InputLimits.Default"/>.</param>
    /// <returns>What was loaded and, when not strict, what was missing or unexpected; it holds no tensors.</returns>
    /// <exception cref="InvalidDataException">The file exceeds <paramref name="limits"/>, is not a state dict this reader
    /// reads, or does not fit the module (the message names every missing, unexpected or mismatched key); nothing was copied.</exception>
    public static PyTorchLoadResult Load(nn.Module module, string path, bool strict = true, InputLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        return Load(Named(module), "module", path, strict, limits);
    }

    /// <summary>Loads the state dict at <paramref name="path"/> into <paramref name="model"/>'s parameters and buffers.</summary>
    /// <param name="model">The model; its tensors are named by its <see cref="IFunctionalModel.ParameterNames"/> and <see cref="IFunctionalModel.BufferNames"/>.</param>
    /// <param name="path">A file saved by <c>torch.save(model.state_dict(), path)</c> (the zip format of PyTorch 1.6 and later) or by <see cref="Save(IFunctionalModel, string)"/>.</param>
    /// <param name="strict">True (the default) refuses a file with missing or unexpected names; false loads the names both have and reports the others.</param>
    /// <param name="limits">The limits an untrusted file is held to; null for <see cref="InputLimits.Default"/>.</param>
    /// <returns>What was loaded and, when not strict, what was missing or unexpected; it holds no tensors.</returns>
    /// <exception cref="InvalidDataException">The file exceeds <paramref name="limits"/>, is not a state dict this reader
    /// reads, or does not fit the model (the message names every missing, unexpected or mismatched key); nothing was copied.</exception>
    public static PyTorchLoadResult Load(IFunctionalModel model, string path, bool strict = true, InputLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Load(Named(model), "model", path, strict, limits);
    }

    /// <summary>
    /// Saves <paramref name="module"/>'s state dict (<c>module.state_dict()</c>) to <paramref name="path"/> in PyTorch's
    /// format: <c>net.load_state_dict(torch.load(path))</c> loads it into the same module tree (tested with PyTorch 1.13,
    /// also with <c>weights_only=True</c>). The file is written to a temporary file beside it and renamed, so a failed
    /// save leaves no half-written file; the tensors are copied to the CPU first (memory for one more copy of them).
    /// </summary>
    /// <exception cref="ArgumentException">A tensor's dtype has no PyTorch storage type (the message names it).</exception>
    public static void Save(nn.Module module, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        Write(Named(module), path);
    }

    /// <summary>
    /// Saves <paramref name="model"/>'s parameters and buffers, under their <see cref="IFunctionalModel.ParameterNames"/>
    /// and <see cref="IFunctionalModel.BufferNames"/>, to <paramref name="path"/> in PyTorch's format; see
    /// <see cref="Save(nn.Module, string)"/>. A converted model's file loads into the PyTorch module it was converted
    /// from; an <see cref="Mlp"/>'s into an <c>nn.Sequential</c> of <c>layer{i}</c> and <c>relu{i}</c> modules.
    /// </summary>
    /// <exception cref="ArgumentException">A tensor's dtype has no PyTorch storage type, or two tensors share a name.</exception>
    public static void Save(IFunctionalModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        Write(Named(model), path);
    }

    /// <summary>Up to ten names, then how many more.</summary>
    internal static string List(IReadOnlyCollection<string> names) =>
        string.Join(", ", names.Take(10)) + (names.Count > 10 ? $" and {names.Count - 10} more" : string.Empty);

    private static PyTorchLoadResult Load(IReadOnlyList<(string Name, Tensor Tensor)> targets, string kind, string path, bool strict, InputLimits? limits)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Unique(targets, kind);
        using var file = StateDictFile.Open(path, limits ?? InputLimits.Default);
        var stored = new Dictionary<string, StoredTensor>(StringComparer.Ordinal);
        foreach (var tensor in file.Tensors)
        {
            stored[tensor.Key] = tensor;
        }

        var names = targets.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var missing = targets.Where(t => !stored.ContainsKey(t.Name)).Select(t => t.Name).ToList();
        var unexpected = file.Tensors.Where(t => !names.Contains(t.Key)).Select(t => t.Key).ToList();
        var matched = targets.Where(t => stored.ContainsKey(t.Name)).ToList();
        var mismatches = matched.Select(t => stored[t.Name].Mismatch(t.Tensor)).OfType<string>().ToList();
        if (mismatches.Count > 0 || (strict && (missing.Count > 0 || unexpected.Count > 0)))
        {
            throw Refusal(path, kind, strict ? missing : Array.Empty<string>(), strict ? unexpected : Array.Empty<string>(), mismatches);
        }

        var staged = new List<Tensor>(matched.Count);
        try
        {
            foreach (var (name, target) in matched)
            {
                var copy = empty(target.shape, dtype: target.dtype, device: CPU);
                staged.Add(copy);
                file.ReadInto(stored[name], copy);
            }

            using var noGrad = no_grad();
            for (int i = 0; i < matched.Count; i++)
            {
                matched[i].Tensor.copy_(staged[i]);
            }
        }
        finally
        {
            staged.ForEach(t => t.Dispose());
        }

        return new PyTorchLoadResult(matched.Select(t => t.Name).ToArray(), missing, unexpected);
    }

    private static InvalidDataException Refusal(string path, string kind, IReadOnlyCollection<string> missing, IReadOnlyCollection<string> unexpected, IReadOnlyList<string> mismatches)
    {
        var parts = new List<string>();
        if (missing.Count > 0)
        {
            parts.Add($"missing keys (in the {kind}, not in the file): {List(missing)}");
        }

        if (unexpected.Count > 0)
        {
            parts.Add($"unexpected keys (in the file, not in the {kind}): {List(unexpected)}");
        }

        parts.AddRange(mismatches.Take(10));
        if (mismatches.Count > 10)
        {
            parts.Add($"{mismatches.Count - 10} more mismatches");
        }

        string names = kind == "model" ? " A model's names are its ParameterNames and BufferNames." : " A module's names are those of module.state_dict().";
        string hint = missing.Count + unexpected.Count > 0
            ? " Pass strict: false to load the names both have and get the others in the result (mismatched shapes and dtypes are refused either way)."
            : string.Empty;
        return new InvalidDataException($"'{path}' does not fit the {kind}: {string.Join("; ", parts)}. Nothing was copied.{names}{hint}");
    }

    private static void Write(IReadOnlyList<(string Name, Tensor Tensor)> tensors, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Unique(tensors, "model");
        foreach (var (name, tensor) in tensors)
        {
            if (!Storable(tensor.dtype))
            {
                throw new ArgumentException($"'{name}' is a {tensor.dtype} tensor, which a PyTorch state dict file cannot hold here; convert it to a float, integer, bool or complex type first.", nameof(tensors));
            }
        }

        var copies = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            using (no_grad())
            {
                foreach (var (name, tensor) in tensors)
                {
                    var copy = empty(tensor.shape, dtype: tensor.dtype, device: CPU);
                    copies.Add(name, copy);
                    copy.copy_(tensor);
                }
            }

            AtomicFile.Write(path, stream => PyTorchPickler.PickleStateDict(stream, copies, leaveOpen: true));
        }
        finally
        {
            foreach (var copy in copies.Values)
            {
                copy.Dispose();
            }
        }
    }

    /// <summary>The dtypes PyBridge writes a PyTorch storage type for.</summary>
    private static bool Storable(ScalarType dtype) => dtype is ScalarType.Byte or ScalarType.Int8 or ScalarType.Int16 or ScalarType.Int32 or
        ScalarType.Int64 or ScalarType.Float16 or ScalarType.Float32 or ScalarType.Float64 or ScalarType.ComplexFloat32 or
        ScalarType.ComplexFloat64 or ScalarType.Bool or ScalarType.BFloat16;

    private static void Unique(IReadOnlyList<(string Name, Tensor Tensor)> tensors, string kind)
    {
        var twice = tensors.GroupBy(t => t.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (twice.Count > 0)
        {
            throw new ArgumentException($"The {kind} names more than one tensor {List(twice)}; a state dict needs unique names.", kind);
        }
    }

    private static List<(string Name, Tensor Tensor)> Named(nn.Module module) =>
        module.state_dict().Select(kv => (kv.Key, kv.Value)).ToList();

    private static List<(string Name, Tensor Tensor)> Named(IFunctionalModel model) =>
        model.ParameterNames.Zip(model.Parameters, (n, p) => (n, (Tensor)p))
            .Concat(model.BufferNames.Zip(model.Buffers, (n, b) => (n, b)))
            .ToList();
}
