using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using ModelExport.Commands;
using ModelExport.Quantization;
using Onnx;
using Serverless.Classifier;
using Serverless.Classifier.Inference;
using Serverless.Classifier.Model;

namespace ModelExport.Tests;

/// <summary>One int8 package of the default model, quantized once for the class.</summary>
public sealed class QuantizedPackageFixture : IAsyncLifetime
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "quantize-test-" + Guid.NewGuid().ToString("N"));

    /// <summary>The recipe the build uses: calibrated fixed scales for the attention projections' inputs.</summary>
    public string Quantized => Path.Combine(Root, "int8");

    /// <summary>Without calibration data: per-row scales for every activation.</summary>
    public string PerRow => Path.Combine(Root, "int8-per-row");

    public string PerRowOutput { get; private set; } = string.Empty;

    public string PerRowError { get; private set; } = string.Empty;

    public int PerRowExitCode { get; private set; }

    public string Output { get; private set; } = string.Empty;

    public string Error { get; private set; } = string.Empty;

    public int ExitCode { get; private set; }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        (ExitCode, Output, Error) = await CliRunner.RunAsync(
            ["quantize", "--out", Quantized, "--check-data", CliRunner.Data("test.jsonl"), "--calibration-data", CliRunner.Data("dev.jsonl")]);
        (PerRowExitCode, PerRowOutput, PerRowError) = await CliRunner.RunAsync(["quantize", "--out", PerRow]);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Root, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary><c>quantize</c> on the real default model: the gate, the manifest, batch independence, the [CLS]-only rewrite.</summary>
public sealed class QuantizeTests(QuantizedPackageFixture fixture) : IClassFixture<QuantizedPackageFixture>
{
    private static readonly string[] Texts =
    [
        "The battery died after two days.",
        "Great value for the price, would buy again.",
        string.Join(" ", Enumerable.Repeat("The screen is bright, the speaker is loud and the case feels solid in the hand.", 12)),
        "ok",
    ];

    [Fact]
    public async Task Quantize_DefaultModel_PassesTheGateAndRecordsPrecisionSourceAndClsOnly()
    {
        Assert.True(fixture.ExitCode == 0, fixture.Error);
        var report = JsonNode.Parse(fixture.Output)!;
        var check = Assert.Single(report["checks"]!.AsArray())!;
        Assert.Equal("sentiment", check["head"]!.GetValue<string>());
        Assert.Equal(597, check["examples"]!.GetValue<int>());
        Assert.True(check["agreement"]!.GetValue<double>() >= QuantizeCommand.DefaultMinAgreement, check.ToJsonString());
        Assert.True(check["accuracyLoss"]!.GetValue<double>() <= QuantizeCommand.DefaultMaxAccuracyLoss, check.ToJsonString());
        Assert.True(report["written"]!.GetValue<bool>());

        var fp32 = await ModelPackage.ReadManifestAsync(TestPaths.DefaultModel, TestContext.Token);
        var int8 = await ModelPackage.ReadManifestAsync(fixture.Quantized, TestContext.Token);
        Assert.Equal((EncoderPrecision.Int8, true, fp32.Encoder.Sha256), (int8.Encoder.Precision, int8.Encoder.ClsOnlyLastLayer, int8.Encoder.SourceSha256));
        Assert.Equal("1.0.0-int8", int8.Version);
        Assert.Equal(await ModelPackage.Sha256Async(Path.Combine(fixture.Quantized, "encoder.onnx"), TestContext.Token), int8.Encoder.Sha256);
        Assert.Equal(fp32.Heads.Select(h => h.Sha256), int8.Heads.Select(h => h.Sha256));

        // The weights are stored apart from the graph (ONNX external data), hashed like every other package file.
        Assert.Equal("encoder.onnx.data", int8.Encoder.DataFile);
        Assert.Equal(await ModelPackage.Sha256Async(Path.Combine(fixture.Quantized, "encoder.onnx.data"), TestContext.Token), int8.Encoder.DataSha256);
        Assert.Equal(["encoder.onnx", "encoder.onnx.data"], ModelPackage.FilesOf(int8.Encoder));
        Assert.True(new FileInfo(Path.Combine(fixture.Quantized, "encoder.onnx")).Length < 1_000_000);
        Assert.True(new FileInfo(Path.Combine(fixture.Quantized, "encoder.onnx.data")).Length < 0.7 * new FileInfo(Path.Combine(TestPaths.DefaultModel, "encoder.onnx")).Length);
    }

    [Fact]
    public void Quantize_WithCalibrationData_FixesTheAttentionInputsScalesAndFoldsTheirBiases()
    {
        Assert.True(fixture.ExitCode == 0, fixture.Error);
        var report = JsonNode.Parse(fixture.Output)!;
        Assert.Equal("fixed for the attention projections' inputs, per-row for the feed-forward's", report["activationScales"]!.GetValue<string>());
        Assert.Equal(297, report["calibration"]!["texts"]!.GetValue<int>());
        var activations = report["calibration"]!["activations"]!.AsArray().Select(a => a!).ToArray();

        // Six layers' query/key/value input and attention context, and the [CLS]-only layer's first position.
        Assert.Equal(13, activations.Length);
        Assert.Equal("/embeddings/LayerNorm/Add_1_output_0", activations[0]["name"]!.GetValue<string>());
        Assert.Single(activations, a => a["name"]!.GetValue<string>() == "cls_only/first_position");
        Assert.All(activations, a => Assert.InRange(a["medianRowMax"]!.GetValue<float>(), 0.01f, a["max"]!.GetValue<float>()));

        var graph = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(fixture.Quantized, "encoder.onnx"))).Graph;
        var matMuls = graph.Node.Where(n => n.OpType == "MatMulIntegerToFloat").ToArray();
        Assert.Equal(36, matMuls.Length);
        // The four attention projections of each layer take one fixed scale and their bias; the feed-forward's two keep
        // per-row scales and a separate bias Add.
        Assert.Equal(24, matMuls.Count(n => n.Input.Count == 7 && n.Input[6].Length > 0));
        // 13 fixed-scale inputs quantize with their scale, 12 feed-forward inputs with scale 1 after a Div by their row
        // scales, which a Mul applies to the product (ONNX Runtime's per-row kernels run one row or one thread at a time).
        Assert.Equal(25, graph.Node.Count(n => n.OpType == "QuantizeLinear" && n.Domain.Length == 0));
        Assert.DoesNotContain(graph.Node, n => n.Domain == EncoderQuantizer.MicrosoftDomain && n.OpType == "QuantizeLinear");
        Assert.Equal(12, graph.Node.Count(n => n.OpType == "Div" && n.Name.EndsWith("/quantize/divide", StringComparison.Ordinal)));
        Assert.Equal(12, graph.Node.Count(n => n.OpType == "Mul" && n.Name.EndsWith("/scale_rows", StringComparison.Ordinal)));
        Assert.Equal(12, matMuls.Count(n => n.Input.Count == 5 && n.Input[2].EndsWith("/quantize/one", StringComparison.Ordinal)));
    }

    [Fact]
    public void Quantize_WithoutCalibrationData_QuantizesEveryActivationPerRow()
    {
        Assert.True(fixture.PerRowExitCode == 0, fixture.PerRowError);
        var report = JsonNode.Parse(fixture.PerRowOutput)!;
        Assert.Equal("per-row", report["activationScales"]!.GetValue<string>());
        Assert.Null(report["calibration"]);

        var graph = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(fixture.PerRow, "encoder.onnx"))).Graph;
        Assert.All(graph.Node.Where(n => n.OpType == "MatMulIntegerToFloat"), n => Assert.Equal(5, n.Input.Count));
        Assert.Equal(25, graph.Node.Count(n => n.OpType == "QuantizeLinear" && n.Domain.Length == 0));
        Assert.Equal(36, graph.Node.Count(n => n.OpType == "Mul" && n.Name.EndsWith("/scale_rows", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Quantize_SameInput_WritesByteIdenticalEncoder()
    {
        var again = Path.Combine(fixture.Root, "again");

        var (exitCode, _, error) = await CliRunner.RunAsync(["quantize", "--out", again, "--calibration-data", CliRunner.Data("dev.jsonl")]);

        Assert.True(exitCode == 0, error);
        foreach (var file in new[] { "encoder.onnx", "encoder.onnx.data" })
        {
            Assert.Equal(
                await ModelPackage.Sha256Async(Path.Combine(fixture.Quantized, file), TestContext.Token),
                await ModelPackage.Sha256Async(Path.Combine(again, file), TestContext.Token));
        }

        Assert.Contains("warning: no --check-data given", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Int8_TextAloneAndInsideABatchOfLongerTexts_WithinOneTenThousandth(bool perRow)
    {
        Assert.True(fixture.PerRowExitCode == 0, fixture.PerRowError);
        using var extractor = await OpenAsync(perRow ? fixture.PerRow : fixture.Quantized);
        var inputs = Texts.Select(t => extractor.Tokenizer.Encode(t).Ids).ToArray();

        var together = extractor.Pool(inputs, [Pooling.Cls], 4096, 32, TestContext.Token)[Pooling.Cls];

        for (var i = 0; i < inputs.Length; i++)
        {
            var alone = extractor.Pool([inputs[i]], [Pooling.Cls], 4096, 32, TestContext.Token)[Pooling.Cls];
            AssertClose(alone, together.AsSpan(i * alone.Length, alone.Length).ToArray(), 1e-4f);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Int8_ClsVectors_StayNearFp32(bool perRow)
    {
        using var fp32 = await OpenAsync(TestPaths.DefaultModel);
        using var int8 = await OpenAsync(perRow ? fixture.PerRow : fixture.Quantized);
        var inputs = Texts.Select(t => fp32.Tokenizer.Encode(t).Ids).ToArray();

        var expected = fp32.Pool(inputs, [Pooling.Cls], 4096, 32, TestContext.Token)[Pooling.Cls];
        var actual = int8.Pool(inputs, [Pooling.Cls], 4096, 32, TestContext.Token)[Pooling.Cls];

        for (var i = 0; i < inputs.Length; i++)
        {
            var cosine = System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(expected.AsSpan(i * 384, 384), actual.AsSpan(i * 384, 384));
            Assert.True(cosine > 0.99f, $"text {i}: cosine {cosine}");
        }
    }

    [Fact]
    public async Task Int8_CorruptWeightsFile_IsRefusedNamingIt()
    {
        var directory = Path.Combine(fixture.Root, "corrupt-weights");
        Directory.CreateDirectory(directory);
        foreach (var file in new[] { "encoder.onnx", "encoder.onnx.data", "vocab.txt" })
        {
            File.Copy(Path.Combine(fixture.Quantized, file), Path.Combine(directory, file));
        }

        await using (var data = File.OpenWrite(Path.Combine(directory, "encoder.onnx.data")))
        {
            data.Position = 4096;
            data.WriteByte(0x5A);
        }

        var manifest = await ModelPackage.ReadManifestAsync(fixture.Quantized, TestContext.Token);
        var exception = await Assert.ThrowsAsync<ClassifierException>(() => FeatureExtractor.OpenAsync(
            directory, manifest.Encoder, manifest.Tokenizer, new ClassifierOptions(), NullLogger.Instance, TestContext.Token));

        Assert.Equal(ClassifierErrorKind.ModelInvalid, exception.Kind);
        Assert.Contains($"'encoder.onnx.data' has sha256 ", exception.Message, StringComparison.Ordinal);
        Assert.Contains($"but the manifest declares {manifest.Encoder.DataSha256}", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClsOnlyLastLayer_Fp32_EqualsTheFullGraphWithinOneHundredThousandth()
    {
        var directory = Path.Combine(fixture.Root, "fp32-cls-only");
        Directory.CreateDirectory(directory);
        var model = ModelProto.Parser.ParseFrom(await File.ReadAllBytesAsync(Path.Combine(TestPaths.DefaultModel, "encoder.onnx"), TestContext.Token));
        ClsOnlyLastLayer.Rewrite(model);
        await File.WriteAllBytesAsync(Path.Combine(directory, "encoder.onnx"), Google.Protobuf.MessageExtensions.ToByteArray(model), TestContext.Token);
        File.Copy(Path.Combine(TestPaths.DefaultModel, "vocab.txt"), Path.Combine(directory, "vocab.txt"));
        var manifest = await ModelPackage.ReadManifestAsync(TestPaths.DefaultModel, TestContext.Token);
        using var full = await OpenAsync(TestPaths.DefaultModel);
        using var clsOnly = await FeatureExtractor.OpenAsync(
            directory,
            manifest.Encoder with { Sha256 = await ModelPackage.Sha256Async(Path.Combine(directory, "encoder.onnx"), TestContext.Token), ClsOnlyLastLayer = true },
            manifest.Tokenizer,
            new ClassifierOptions(),
            NullLogger.Instance,
            TestContext.Token);
        var inputs = Texts.Select(t => full.Tokenizer.Encode(t).Ids).ToArray();

        var expected = full.Pool(inputs, [Pooling.Cls], 4096, 32, TestContext.Token)[Pooling.Cls];
        var actual = clsOnly.Pool(inputs, [Pooling.Cls], 4096, 32, TestContext.Token)[Pooling.Cls];

        AssertClose(expected, actual, 1e-5f);
        var exception = Assert.Throws<ClassifierException>(() => clsOnly.Pool(inputs, [Pooling.Mean], 4096, 32, TestContext.Token));
        Assert.Equal(ClassifierErrorKind.ModelInvalid, exception.Kind);
        Assert.StartsWith("This encoder's last layer computes [CLS] only (encoder.clsOnlyLastLayer), so it cannot pool mean;", exception.Message, StringComparison.Ordinal);
        Assert.Throws<ModelExportException>(() => ClsOnlyLastLayer.Rewrite(model));
    }

    [Fact]
    public async Task Quantize_Int8Input_IsRefused()
    {
        var (exitCode, output, error) = await CliRunner.RunAsync(["quantize", "--model", fixture.Quantized, "--out", Path.Combine(fixture.Root, "twice")]);

        Assert.Equal(1, exitCode);
        Assert.Equal(string.Empty, output);
        Assert.Equal($"error: '{fixture.Quantized}' holds an int8 encoder; quantize the fp32 package it came from.", error.Trim());
        Assert.False(Directory.Exists(Path.Combine(fixture.Root, "twice")));
    }

    [Fact]
    public async Task Quantize_BelowTheAgreementMinimum_WritesNothingAndSaysWhy_UnlessForced()
    {
        var refused = Path.Combine(fixture.Root, "refused");
        string[] args = ["quantize", "--out", refused, "--check-data", CliRunner.Data("dev.jsonl"), "--min-agreement", "1.01"];

        var (exitCode, output, error) = await CliRunner.RunAsync(args);

        Assert.Equal(1, exitCode);
        Assert.False(JsonNode.Parse(output)!["written"]!.GetValue<bool>());
        Assert.Matches(@"^error: int8 fails the check on '.*dev\.jsonl': accuracy \d+\.\d\d% -> \d+\.\d\d% \(loss -?\d+\.\d\d%, limit 1\.50%\), agreement with fp32 \d+\.\d\d% \(minimum 101\.00%\)\.$", error.Trim());
        Assert.False(Directory.Exists(refused));
        Assert.Empty(Directory.GetDirectories(fixture.Root, "refused.partial-*"));

        (exitCode, output, error) = await CliRunner.RunAsync([.. args, "--force"]);

        Assert.Equal(0, exitCode);
        Assert.True(JsonNode.Parse(output)!["written"]!.GetValue<bool>());
        Assert.StartsWith("WARNING (--force): writing anyway; int8 fails the check on", error.Trim(), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(refused, "manifest.json")));
    }

    [Theory]
    [InlineData("--bits", "6", "error: --bits 6 is not supported; use 8, or 7 on CPUs without VNNI.")]
    [InlineData("--check-data", "no-such-file.jsonl", "error: Data file 'no-such-file.jsonl' does not exist; expected JSON Lines of {\"id\", \"text\", \"label\"}.")]
    [InlineData("--calibration-data", "no-such-file.jsonl", "error: Data file 'no-such-file.jsonl' does not exist; expected JSON Lines of {\"text\"}.")]
    public async Task Quantize_BadArguments_ExitOneWithTheReason(string option, string value, string message)
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(["quantize", "--out", Path.Combine(fixture.Root, "bad-" + Guid.NewGuid().ToString("N")), option, value]);

        Assert.Equal(1, exitCode);
        Assert.Equal(message, error.Trim());
    }

    [Fact]
    public async Task Quantize_CalibrationLineWithoutText_IsRefusedNamingTheLine_BeforeWritingAnything()
    {
        var data = Path.Combine(fixture.Root, "calibration-" + Guid.NewGuid().ToString("N") + ".jsonl");
        await File.WriteAllLinesAsync(data, ["{\"text\": \"fine\"}", "{\"label\": \"positive\"}"], TestContext.Token);
        var output = Path.Combine(fixture.Root, "bad-calibration");

        var (exitCode, _, error) = await CliRunner.RunAsync(["quantize", "--out", output, "--calibration-data", data]);

        Assert.Equal(1, exitCode);
        Assert.Equal($"error: '{data}' line 2 lacks a non-empty \"text\"; expected {{\"text\"}}.", error.Trim());
        Assert.False(Directory.Exists(output));
    }

    [Theory]
    [InlineData("{\"text\": 5}", "line 1 lacks a non-empty \"text\"; expected {\"text\"}.")]
    [InlineData("{\"text\": \"   \"}", "line 1 lacks a non-empty \"text\"; expected {\"text\"}.")]
    [InlineData("[\"text\"]", "line 1 lacks a non-empty \"text\"; expected {\"text\"}.")]
    [InlineData("{\"text\": ", "line 1 is not valid JSON: ")]
    [InlineData("", "has no examples.")]
    public async Task Quantize_CalibrationDataOfTheWrongShape_IsRefusedWithTheReason(string line, string reason)
    {
        var data = Path.Combine(fixture.Root, "calibration-" + Guid.NewGuid().ToString("N") + ".jsonl");
        await File.WriteAllTextAsync(data, line, TestContext.Token);

        var (exitCode, _, error) = await CliRunner.RunAsync(["quantize", "--out", Path.Combine(fixture.Root, "bad-shape"), "--calibration-data", data]);

        Assert.Equal(1, exitCode);
        Assert.StartsWith($"error: '{data}' {reason}", error.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Quantize_CalibrationTextThatIsNotValidUnicode_IsRefusedNamingTheLine()
    {
        var data = Path.Combine(fixture.Root, "calibration-" + Guid.NewGuid().ToString("N") + ".jsonl");
        await File.WriteAllLinesAsync(data, ["{\"text\": \"fine\"}", "{\"text\": \"lone \\ud800 surrogate\"}"], TestContext.Token);

        var (exitCode, _, error) = await CliRunner.RunAsync(["quantize", "--out", Path.Combine(fixture.Root, "bad-unicode"), "--calibration-data", data]);

        Assert.Equal(1, exitCode);
        Assert.StartsWith($"error: '{data}' line 2 has a string that is not valid Unicode: ", error.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Quantize_SourceEncoderThatDoesNotMatchItsManifest_IsRefused()
    {
        var source = Path.Combine(fixture.Root, "edited-source");
        foreach (var file in Directory.EnumerateFiles(TestPaths.DefaultModel, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(source, Path.GetRelativePath(TestPaths.DefaultModel, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        await File.AppendAllTextAsync(Path.Combine(source, "encoder.onnx"), " ", TestContext.Token);
        var output = Path.Combine(fixture.Root, "from-edited-source");

        var (exitCode, _, error) = await CliRunner.RunAsync(["quantize", "--model", source, "--out", output]);

        Assert.Equal(1, exitCode);
        Assert.Equal($"error: '{Path.Combine(source, "encoder.onnx")}' is missing or does not match the sha256 in its manifest; the package is damaged or was edited. Restore it before quantizing.", error.Trim());
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public async Task Quantize_NonEmptyOutput_IsRefused()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(["quantize", "--out", fixture.Quantized]);

        Assert.Equal(1, exitCode);
        Assert.Equal($"error: '{fixture.Quantized}' is not empty; choose a new folder for the int8 package.", error.Trim());
    }

    [Fact]
    public async Task TrainHead_OnAnInt8Package_IsRefused()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(["train-head", "--train", CliRunner.Data("dev.jsonl"), "--encoder", fixture.Quantized, "--out", Path.Combine(fixture.Root, "head")]);

        Assert.Equal(1, exitCode);
        Assert.StartsWith($"error: '{fixture.Quantized}' holds a derived encoder (int8, last layer for [CLS] only, made from the fp32 encoder ", error.Trim(), StringComparison.Ordinal);
    }

    private static async Task<FeatureExtractor> OpenAsync(string package)
    {
        var manifest = await ModelPackage.ReadManifestAsync(package, TestContext.Token);
        return await FeatureExtractor.OpenAsync(package, manifest.Encoder, manifest.Tokenizer, new ClassifierOptions(), NullLogger.Instance, TestContext.Token);
    }

    private static void AssertClose(float[] expected, float[] actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = Enumerable.Range(0, expected.Length).Max(i => Math.Abs(expected[i] - actual[i]));
        Assert.True(worst <= tolerance, $"largest difference {worst}, tolerance {tolerance}");
    }
}
