namespace MetaLearn.Models;

/// <summary>
/// What <see cref="PyTorchWeights.Load(nn.Module, string, bool, InputLimits?)"/> copied and what it left: plain names,
/// no tensors. With strict loading (the default) <see cref="MissingKeys"/> and <see cref="UnexpectedKeys"/> are always
/// empty, since a file with either is refused; with <c>strict: false</c> they say what did not match by name.
/// </summary>
/// <param name="LoadedKeys">The names whose values were copied from the file, in the target's order.</param>
/// <param name="MissingKeys">Names of the target that the file does not hold; those tensors kept their values.</param>
/// <param name="UnexpectedKeys">Names in the file that the target does not have; they were not read.</param>
public sealed record PyTorchLoadResult(IReadOnlyList<string> LoadedKeys, IReadOnlyList<string> MissingKeys, IReadOnlyList<string> UnexpectedKeys);
