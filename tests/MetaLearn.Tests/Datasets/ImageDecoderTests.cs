using MetaLearn.Datasets;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Datasets;

public sealed class ImageDecoderTests
{
    [Fact]
    public void Preprocess_HalfWhiteHalfBlackDownsized_EachPixelIsTheMeanOfTheAreaItCovers()
    {
        // 105x105: columns 0..52 white (255), 53..104 black (0); resized to 28x28 by area averaging.
        const int In = 105;
        const int Out = 28;
        var bytes = new byte[In * In];
        for (int y = 0; y < In; y++)
        {
            for (int x = 0; x <= 52; x++)
            {
                bytes[(y * In) + x] = 255;
            }
        }

        using var scope = NewDisposeScope();
        var result = ImageDecoder.Preprocess(tensor(bytes, new long[] { 1, 1, In, In }), Out, invert: false);

        result.shape.Should().Equal(1L, 1L, Out, Out);
        float[] row = result[0, 0, 5].data<float>().ToArray();
        for (int j = 0; j < Out; j++)
        {
            // Reference: adaptive average pooling covers input columns [floor(j*In/Out), ceil((j+1)*In/Out)).
            int start = j * In / Out;
            int end = (((j + 1) * In) + Out - 1) / Out;
            double expected = Enumerable.Range(start, end - start).Count(x => x <= 52) / (double)(end - start);
            row[j].Should().BeApproximately((float)expected, 1e-6f, $"output column {j} averages input columns {start}..{end - 1}");
        }

        row.Should().Contain(v => v > 0.05f && v < 0.95f, "the boundary column mixes black and white");
        result.mean().item<float>().Should().BeApproximately(53f / 105f, 0.02f, "area averaging preserves the mean");
    }

    [Fact]
    public void Preprocess_Invert_MapsBlackToOneAndWhiteToZero()
    {
        using var scope = NewDisposeScope();
        var bytes = tensor(new byte[] { 0, 255, 0, 255 }, new long[] { 1, 1, 2, 2 });

        var result = ImageDecoder.Preprocess(bytes, 2, invert: true);

        result.flatten().data<float>().ToArray().Should().Equal(1f, 0f, 1f, 0f);
    }
}
