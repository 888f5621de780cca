using Serverless.Classifier.Model;

namespace ModelExport.Tests;

/// <summary>The int8 package the build quantizes from models/default (build/DefaultModel.targets).</summary>
public sealed class DefaultInt8PackageTests
{
    /// <summary>The int8 encoder's SHA-256s (graph, weights): quantizing is deterministic, so every build on every machine
    /// writes these bytes. A change to the quantizer or to the fp32 package changes them; update them then, with the gate's
    /// numbers in the commit.</summary>
    private const string PinnedEncoderSha256 = "37f41d5033e97fd00d46fb91d3e0cb5e7dd8e4c9867f889dcaf9e7849b6a67b5";

    private const string PinnedWeightsSha256 = "b11780e89285b513a4d7b84fcfcbda26bc5a9999e6a0f615585a0bf8d9970f93";

    private static string Directory => Path.Combine(AppContext.BaseDirectory, "models", "default-int8");

    [Fact]
    public async Task Build_WritesTheGatedInt8PackageWithThePinnedEncoder()
    {
        var manifest = await ModelPackage.ReadManifestAsync(Directory, TestContext.Token);
        var fp32 = await ModelPackage.ReadManifestAsync(TestPaths.DefaultModel, TestContext.Token);

        Assert.Equal(PinnedEncoderSha256, manifest.Encoder.Sha256);
        Assert.Equal(PinnedEncoderSha256, await ModelPackage.Sha256Async(Path.Combine(Directory, manifest.Encoder.File), TestContext.Token));
        Assert.Equal(PinnedWeightsSha256, manifest.Encoder.DataSha256);
        Assert.Equal(PinnedWeightsSha256, await ModelPackage.Sha256Async(Path.Combine(Directory, manifest.Encoder.DataFile!), TestContext.Token));
        Assert.Equal((EncoderPrecision.Int8, true, fp32.Encoder.Sha256), (manifest.Encoder.Precision, manifest.Encoder.ClsOnlyLastLayer, manifest.Encoder.SourceSha256));
        Assert.Equal((fp32.Name, fp32.Version + "-int8"), (manifest.Name, manifest.Version));
    }

    [Fact]
    public void Classify_ByDefault_ServesTheInt8Package() =>
        Assert.Equal(Directory, Packaging.EncoderPackage.ServedModelDirectory);
}
