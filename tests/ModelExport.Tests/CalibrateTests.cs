using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ModelExport.Evaluation;
using Serverless.Classifier;
using Serverless.Classifier.Model;

namespace ModelExport.Tests;

/// <summary><c>calibrate</c>: temperature on a real over-confident head, thresholds on a synthetic multi-label fixture.</summary>
public sealed class CalibrateTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "calibrate-test-" + Guid.NewGuid().ToString("N"));

    public CalibrateTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Temperature_OnAnOverTrainedHead_LowersHeldOutCalibrationErrorAndKeepsAccuracy()
    {
        // 60 epochs without early stopping: a head that is right as often as the default one but far too sure of itself.
        var package = Path.Combine(_root, "overtrained");
        var (trained, _, trainError) = await CliRunner.RunAsync(
            ["train-head", "--train", CliRunner.Data("train.jsonl"), "--encoder", TestPaths.DefaultModel, "--epochs", "60", "--name", "sentiment", "--out", package]);
        Assert.True(trained == 0, trainError);

        var (exitCode, output, error) = await CliRunner.RunAsync(
            ["calibrate", "--model", package, "--data", CliRunner.Data("dev.jsonl"), "--check-data", CliRunner.Data("test.jsonl"), "--model-version", "2"]);

        Assert.True(exitCode == 0, error);
        var report = JsonNode.Parse(output)!;
        var temperature = report["temperature"]!.GetValue<double>();
        Assert.InRange(temperature, 1.5, 5);
        var check = report["reports"]!.AsArray().Single(r => r!["role"]!.GetValue<string>() == "check")!;
        Assert.True(check["ece"]!["after"]!.GetValue<double>() < check["ece"]!["before"]!.GetValue<double>() / 2, check.ToJsonString());
        Assert.Equal(check["accuracy"]!["before"]!.GetValue<double>(), check["accuracy"]!["after"]!.GetValue<double>());

        var manifest = await ModelPackage.ReadManifestAsync(package, TestContext.Token);
        Assert.Equal(("2", temperature), (manifest.Version, manifest.Heads[0].Temperature));
        await using var services = ServingServices.Create(options => options.ModelPath = package);
        var classifier = services.GetRequiredService<ITextClassifier>();
        var scored = await classifier.ClassifyAsync(new ClassificationRequest { Texts = ["I love this phone"] }, TestContext.Token);
        var raw = await classifier.ClassifyAsync(new ClassificationRequest { Texts = ["I love this phone"], FunctionToApply = Activation.None }, TestContext.Token);
        var expected = Calibration.Softmax([[.. raw.Texts[0].Scores]], temperature)[0];
        Assert.All(expected.Zip(scored.Texts[0].Scores), p => Assert.Equal(p.First, p.Second, 5));
    }

    [Fact]
    public async Task Thresholds_OnASigmoidHead_AreWrittenPerLabelAndChangeWhichLabelsAreSelected()
    {
        var package = SigmoidPackage();
        var data = Path.Combine(_root, "multi-label.jsonl");
        // A synthetic multi-label set: each review with its own label, mixed reviews with both, bare facts with none.
        var lines = File.ReadLines(CliRunner.Data("dev.jsonl")).Select(l => JsonNode.Parse(l)!)
            .Select(n => new { text = n["text"]!.GetValue<string>(), labels = new[] { n["label"]!.GetValue<string>() } })
            .Concat(Enumerable.Range(0, 20).Select(i => new { text = $"The screen is great but the battery is awful, day {i}.", labels = new[] { "negative", "positive" } }))
            .Concat(Enumerable.Range(0, 20).Select(i => new { text = $"The parcel was delivered on day {i}.", labels = Array.Empty<string>() }));
        await File.WriteAllLinesAsync(data, lines.Select(l => JsonSerializer.Serialize(l)), TestContext.Token);
        var texts = File.ReadLines(CliRunner.Data("test.jsonl")).Select(l => JsonNode.Parse(l)!["text"]!.GetValue<string>()).ToArray();
        var before = await SelectedAsync(package, texts);

        var (exitCode, output, error) = await CliRunner.RunAsync(["calibrate", "--model", package, "--data", data, "--head", "aspects"]);

        Assert.True(exitCode == 0, error);
        var manifest = await ModelPackage.ReadManifestAsync(package, TestContext.Token);
        var head = manifest.Heads.Single(h => h.Name == "aspects");
        Assert.Equal(2, head.Thresholds!.Count);
        Assert.All(head.Thresholds, t => Assert.InRange(t, 0.01, 0.99));
        Assert.Equal(JsonNode.Parse(output)!["thresholds"]!.AsArray().Select(t => t!.GetValue<double>()), head.Thresholds);
        var fit = JsonNode.Parse(output)!["reports"]![0]!;
        Assert.True(fit["microF1"]!["after"]!.GetValue<double>() >= fit["microF1"]!["before"]!.GetValue<double>(), fit.ToJsonString());
        var after = await SelectedAsync(package, texts);
        Assert.Contains(Enumerable.Range(0, texts.Length), i => !before[i].SequenceEqual(after[i]));
    }

    [Fact]
    public void FitThresholds_SyntheticScores_PicksTheF1BestCutPerLabel()
    {
        float[][] scores = [[0.9f, 0.2f], [0.8f, 0.35f], [0.6f, 0.3f], [0.4f, 0.1f], [0.3f, 0.05f]];
        bool[][] truth = [[true, true], [true, true], [false, true], [false, false], [false, false]];

        var thresholds = Calibration.FitThresholds(scores, truth);

        // Label 0: keeping the top two scores is F1 1 (cut between 0.8 and 0.6); label 1: the top three (0.2, 0.3, 0.35), cut between 0.2 and 0.1.
        Assert.Equal(0.7, thresholds[0], 6);
        Assert.Equal(0.15, thresholds[1], 6);
        Assert.Equal(1.0, Calibration.MicroF1(scores, truth, thresholds));
    }

    [Theory]
    [InlineData("{\"text\":\"fine\",\"labels\":[\"positive\"]}\nnot json\n", "line 2 is not valid JSON")]
    [InlineData("{\"text\":\"fine\",\"labels\":[1]}\n", "line 1 lacks \"text\" or \"labels\"")]
    [InlineData("{\"labels\":[\"positive\"]}\n", "line 1 lacks \"text\" or \"labels\"")]
    [InlineData("\n  \n", "has no examples")]
    public async Task Calibrate_MalformedMultiLabelData_IsRefusedNamingTheLine(string content, string message)
    {
        var package = SigmoidPackage();
        var data = Path.Combine(_root, "malformed.jsonl");
        await File.WriteAllTextAsync(data, content, TestContext.Token);
        var manifestBefore = await File.ReadAllTextAsync(Path.Combine(package, "manifest.json"), TestContext.Token);

        var (exitCode, _, error) = await CliRunner.RunAsync(["calibrate", "--model", package, "--data", data, "--head", "aspects"]);

        Assert.Equal(1, exitCode);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Equal(manifestBefore, await File.ReadAllTextAsync(Path.Combine(package, "manifest.json"), TestContext.Token));
    }

    [Fact]
    public async Task Calibrate_DataWithAnUnknownLabel_IsRefusedNamingIt()
    {
        var package = SigmoidPackage();
        var data = Path.Combine(_root, "bad.jsonl");
        await File.WriteAllTextAsync(data, "{\"text\":\"fine\",\"labels\":[\"neutral\"]}\n", TestContext.Token);

        var (exitCode, _, error) = await CliRunner.RunAsync(["calibrate", "--model", package, "--data", data, "--head", "aspects"]);

        Assert.Equal(1, exitCode);
        Assert.Contains("example 1 has labels [neutral]; head 'aspects' has [negative, positive]", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calibrate_HeadWithRawScores_IsRefused()
    {
        var package = SigmoidPackage();
        var manifest = await ModelPackage.ReadManifestAsync(package, TestContext.Token);
        await ModelPackage.WriteManifestAsync(package, manifest with { Heads = [manifest.Heads[0] with { Activation = Activation.None }, manifest.Heads[1]] }, TestContext.Token);

        var (exitCode, _, error) = await CliRunner.RunAsync(["calibrate", "--model", package, "--data", CliRunner.Data("dev.jsonl"), "--head", "sentiment"]);

        Assert.Equal(1, exitCode);
        Assert.Contains("Head 'sentiment' has activation none (raw scores); only softmax and sigmoid heads give probabilities to calibrate.", error, StringComparison.Ordinal);
    }

    /// <summary>The default package plus a sigmoid head "aspects" (the sentiment head's graph, read as two independent labels).</summary>
    private string SigmoidPackage()
    {
        var package = Path.Combine(_root, "sigmoid");
        Directory.CreateDirectory(Path.Combine(package, "heads"));
        foreach (var file in new[] { "encoder.onnx", "vocab.txt", "heads/sentiment.onnx" })
        {
            File.Copy(Path.Combine(TestPaths.DefaultModel, file), Path.Combine(package, file));
        }

        var manifest = ModelPackage.ReadManifestAsync(TestPaths.DefaultModel, TestContext.Token).GetAwaiter().GetResult();
        var aspects = manifest.Heads[0] with { Name = "aspects", Activation = Activation.Sigmoid };
        ModelPackage.WriteManifestAsync(package, manifest with { Heads = [manifest.Heads[0], aspects] }, TestContext.Token).GetAwaiter().GetResult();
        return package;
    }

    private static async Task<List<bool[]>> SelectedAsync(string package, string[] texts)
    {
        await using var services = ServingServices.Create(options => (options.ModelPath, options.MaxInputsPerRequest) = (package, texts.Length));
        var result = await services.GetRequiredService<ITextClassifier>().ClassifyAsync(new ClassificationRequest { Texts = texts, Head = "aspects" }, TestContext.Token);
        return [.. result.Texts.Select(t => t.Selected!.ToArray())];
    }
}
