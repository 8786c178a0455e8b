using MetaLearn.Models;
using MetaLearn.Tasks;

namespace MetaLearn.Algorithms;

/// <summary>Brings episodes to a model's device and dtype.</summary>
internal static class EpisodeConversion
{
    /// <summary>
    /// Returns the episodes as the model needs them, and the converted copies the caller must dispose
    /// (empty when nothing needed converting).
    /// </summary>
    public static (IReadOnlyList<Episode> Episodes, IReadOnlyList<Episode> Owned) ForModel(IReadOnlyList<Episode> episodes, IFunctionalModel model)
    {
        ArgumentNullException.ThrowIfNull(episodes);
        if (episodes.Count == 0)
        {
            throw new ArgumentException("A meta-batch needs at least one episode.", nameof(episodes));
        }

        if (episodes.All(e => e.IsOn(model.Device, model.DType)))
        {
            return (episodes, Array.Empty<Episode>());
        }

        var converted = episodes.Select(e => e.IsOn(model.Device, model.DType) ? null : e.To(model.Device, model.DType)).ToArray();
        var result = episodes.Select((e, i) => converted[i] ?? e).ToArray();
        return (result, converted.Where(c => c is not null).Select(c => c!).ToArray());
    }
}
