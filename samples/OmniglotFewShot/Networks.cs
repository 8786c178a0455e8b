namespace OmniglotFewShot;

/// <summary>
/// The networks the sample trains: Conv4 with group norm (a TorchSharp module converted by
/// <see cref="FunctionalModel.FromModule"/>), Conv4 with batch norm, ResNet-12 (functional) or TorchVision's ResNet-18
/// (a <see cref="Backbone"/>).
/// </summary>
internal static class Networks
{
    /// <summary>Features of the ResNet-18 backbone's output layer, whatever the image size (it pools globally).</summary>
    private const int ResNet18Features = 64;

    /// <summary>Features per example of the embedding (no head) of <paramref name="model"/> on <paramref name="imageSize"/>-pixel images.</summary>
    public static int Features(string model, int imageSize) => model switch
    {
        "resnet12" => 640,
        "resnet18" => ResNet18Features,
        "conv4gn576" => 64 * Square(Pooled(imageSize, 3)),
        _ => 64 * Square(Pooled(imageSize, 4)),
    };

    /// <summary>The side of a feature map after <paramref name="pools"/> 2x2 max-poolings (each rounds down) of a <paramref name="side"/>-pixel image.</summary>
    private static int Pooled(int side, int pools) => pools == 0 ? side : Pooled(side / 2, pools - 1);

    private static int Square(int side) => side * side;

    /// <summary>The network of <paramref name="settings"/>: an embedding (<paramref name="ways"/> 0) or with a linear head.</summary>
    /// <returns>A new model the caller disposes.</returns>
    public static IFunctionalModel Create(FewShotSettings settings, int ways) => settings.Model switch
    {
        "resnet12" => new ResNet12(new ResNet12Options { Ways = ways, InputChannels = 1, Seed = settings.Seed }),
        "resnet18" => ResNet18(settings.Seed, ways),
        "conv4gn" => GroupNormConv4(settings.Seed, ways, poolLast: true, settings.ImageSize),
        "conv4gn576" => GroupNormConv4(settings.Seed, ways, poolLast: false, settings.ImageSize),
        _ => new Conv4(new Conv4Options { Ways = ways, ImageSize = settings.ImageSize, Seed = settings.Seed, BatchNormStatistics = settings.BatchNorm }),
    };

    /// <summary>
    /// Conv4 (four blocks of 3x3 convolution with 64 channels, group norm over 8 groups of 8 channels, ReLU, 2x2 max
    /// pooling) built from TorchSharp modules and converted to a functional model. Without <paramref name="poolLast"/>
    /// the fourth block is not pooled, so a 28x28 image gives 64 x 3 x 3 = 576 features instead of 64 (a 56x56 image:
    /// 3,136 instead of 576). Group norm
    /// normalises each image on its own, so support and query images are treated alike and no statistics depend on the
    /// episode. Its initial values come from TorchSharp's global generator, seeded with <paramref name="seed"/>.
    /// </summary>
    private static IFunctionalModel GroupNormConv4(int seed, int ways, bool poolLast, int imageSize)
    {
        manual_seed(seed);
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        long channels = 1;
        for (int b = 0; b < 4; b++)
        {
            layers.Add(($"conv{b}", nn.Conv2d(channels, 64, 3, padding: 1)));
            var norm = nn.GroupNorm(8, 64);
            using (no_grad())
            {
                norm.weight!.fill_(1.0f);
                norm.bias!.zero_();
            }

            layers.Add(($"gn{b}", norm));
            layers.Add(($"relu{b}", nn.ReLU()));
            if (b < 3 || poolLast)
            {
                layers.Add(($"pool{b}", nn.MaxPool2d(2)));
            }

            channels = 64;
        }

        layers.Add(("flat", nn.Flatten()));
        if (ways > 0)
        {
            layers.Add(("head", nn.Linear(Features(poolLast ? "conv4gn" : "conv4gn576", imageSize), ways)));
        }

        using var module = nn.Sequential(layers.ToArray());
        return FunctionalModel.FromModule(module, new ModuleConversionOptions { Seed = seed });
    }

    /// <summary>
    /// TorchVision's ResNet-18 (its forward is code, which FunctionalModel.FromModule does not convert) as a backbone:
    /// Omniglot's one channel repeated over the three it reads, a 64-feature output layer, and the backbone's own
    /// <paramref name="ways"/>-way head when ANIL needs one. Its initial values come from TorchSharp's global generator.
    /// </summary>
    private static Backbone ResNet18(int seed, int ways)
    {
        manual_seed(seed);
        return new Backbone(
            () => nn.Sequential(("rgb", new ThreeChannels()), ("resnet", TorchSharp.torchvision.models.resnet18(num_classes: ResNet18Features))),
            new BackboneOptions { Ways = ways, Features = ResNet18Features, Seed = seed });
    }

    /// <summary>
    /// The from-scratch baseline's network for one task: Conv4 as a TorchSharp module (batch norm keeping running
    /// statistics) with a <paramref name="ways"/>-way head, for <paramref name="imageSize"/>-pixel images.
    /// </summary>
    public static nn.Module<Tensor, Tensor> Scratch(int ways, int seed, int imageSize)
    {
        manual_seed(seed);
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        long channels = 1;
        for (int b = 0; b < 4; b++)
        {
            layers.Add(($"conv{b}", nn.Conv2d(channels, 64, 3, padding: 1)));
            layers.Add(($"bn{b}", nn.BatchNorm2d(64)));
            layers.Add(($"relu{b}", nn.ReLU()));
            layers.Add(($"pool{b}", nn.MaxPool2d(2)));
            channels = 64;
        }

        layers.Add(("flat", nn.Flatten()));
        layers.Add(("head", nn.Linear(Features("conv4", imageSize), ways)));
        return nn.Sequential(layers.ToArray());
    }

    /// <summary>Repeats a one-channel image over the three channels an ImageNet network reads (a view, no copy).</summary>
    private sealed class ThreeChannels() : nn.Module<Tensor, Tensor>(nameof(ThreeChannels))
    {
        public override Tensor forward(Tensor input) => input.expand(-1, 3, -1, -1);
    }
}
