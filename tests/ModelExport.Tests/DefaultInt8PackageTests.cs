using Serverless.Classifier.Model;

namespace ModelExport.Tests;

/// <summary>The int8 package the build quantizes from models/default (build/DefaultModel.targets).</summary>
public sealed class DefaultInt8PackageTests
{
    /// <summary>The int8 encoder's SHA-256: quantizing is deterministic, so every build on every machine writes these bytes.
    /// A change to the quantizer or to the fp32 package changes it; update it then, with the gate's numbers in the commit.</summary>
    private const string PinnedEncoderSha256 = "5d80d08854fa6cc31b95e8b614ea4c47fbb50f1e8165a9aa32e3b42431292a04";

    private static string Directory => Path.Combine(AppContext.BaseDirectory, "models", "default-int8");

    [Fact]
    public async Task Build_WritesTheGatedInt8PackageWithThePinnedEncoder()
    {
        var manifest = await ModelPackage.ReadManifestAsync(Directory, TestContext.Token);
        var fp32 = await ModelPackage.ReadManifestAsync(TestPaths.DefaultModel, TestContext.Token);

        Assert.Equal(PinnedEncoderSha256, manifest.Encoder.Sha256);
        Assert.Equal(PinnedEncoderSha256, await ModelPackage.Sha256Async(Path.Combine(Directory, manifest.Encoder.File), TestContext.Token));
        Assert.Equal((EncoderPrecision.Int8, true, fp32.Encoder.Sha256), (manifest.Encoder.Precision, manifest.Encoder.ClsOnlyLastLayer, manifest.Encoder.SourceSha256));
        Assert.Equal((fp32.Name, fp32.Version + "-int8"), (manifest.Name, manifest.Version));
    }

    [Fact]
    public void Classify_ByDefault_ServesTheInt8Package() =>
        Assert.Equal(Directory, Packaging.EncoderPackage.ServedModelDirectory);
}
