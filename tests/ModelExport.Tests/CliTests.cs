using System.Text.Json.Nodes;

namespace ModelExport.Tests;

/// <summary>The verbs end to end on the real default model and the committed sentiment split.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string _temporary = Path.Combine(Path.GetTempPath(), "model-export-test-" + Guid.NewGuid().ToString("N"));

    public CliTests() => Directory.CreateDirectory(_temporary);

    public void Dispose() => Directory.Delete(_temporary, recursive: true);

    [Fact]
    public async Task Classify_TextArguments_PrintsOneJsonLinePerTextWithLabelsAndScores()
    {
        var (exitCode, output, _) = await CliRunner.RunAsync(["classify", "I love this phone", "Terrible service, never again"]);

        Assert.Equal(0, exitCode);
        var lines = output.Trim().Split('\n').Select(line => JsonNode.Parse(line)!.AsArray()).ToArray();
        Assert.Equal(2, lines.Length);
        Assert.Equal("positive", lines[0][0]!["label"]!.GetValue<string>());
        Assert.Equal("negative", lines[1][0]!["label"]!.GetValue<string>());
        Assert.All(lines, line => Assert.Equal(1.0, line.Sum(s => s!["score"]!.GetValue<double>()), 5));
    }

    [Fact]
    public async Task Classify_StandardInput_ReadsOneTextPerLine()
    {
        var (exitCode, output, _) = await CliRunner.RunAsync(["classify"], "Absolutely wonderful.\nA waste of money.\n");

        Assert.Equal(0, exitCode);
        Assert.Equal(["positive", "negative"], output.Trim().Split('\n').Select(line => JsonNode.Parse(line)![0]!["label"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Tokenize_Text_PrintsHuggingFaceIds()
    {
        var (exitCode, output, _) = await CliRunner.RunAsync(["tokenize", "Hello, world!", "$5 café"]);

        Assert.Equal(0, exitCode);
        Assert.Equal("{\"ids\":[101,7592,1010,2088,999,102]}\n{\"ids\":[101,1002,1019,7668,102]}", output.Trim().ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Tokenize_EveryGoldenSentence_PrintsTheReferenceIds()
    {
        var golden = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "TestData", "tokenizer-golden.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();

        var (exitCode, output, _) = await CliRunner.RunAsync(["tokenize", .. golden.Select(g => g["text"]!.GetValue<string>())]);

        Assert.Equal(0, exitCode);
        AssertGoldenIds(golden, output, string.Empty);
    }

    [Fact]
    public async Task Tokenize_InvariantGlobalizationChildProcess_PrintsTheReferenceIds()
    {
        // Slim and chiseled .NET images set DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 (no ICU); tokenization must not change.
        var golden = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "TestData", "tokenizer-golden.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
        var start = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            StandardOutputEncoding = System.Text.Encoding.UTF8,
            StandardInputEncoding = new System.Text.UTF8Encoding(false),
        };
        // The tool's own build output (artifacts/bin/ModelExport/<configuration>/), with its own dependency graph.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Name;
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "..", "..", "ModelExport", configuration, "model-export.dll"));
        start.ArgumentList.Add("tokenize");
        start.Environment["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1";
        using var process = System.Diagnostics.Process.Start(start)!;
        // Texts go as lines on stdin: their CR and LF (the only line breaks ReadLine splits on) become spaces, which BERT
        // also treats as whitespace, so the golden ids still apply.
        var writing = Task.Run(async () =>
        {
            foreach (var row in golden)
            {
                await process.StandardInput.WriteLineAsync(row["text"]!.GetValue<string>().Replace('\r', ' ').Replace('\n', ' '));
            }

            process.StandardInput.Close();
        });
        var output = await process.StandardOutput.ReadToEndAsync(TestContext.Token);
        var error = await process.StandardError.ReadToEndAsync(TestContext.Token);
        await writing;
        await process.WaitForExitAsync(TestContext.Token);

        Assert.True(process.ExitCode == 0, error);
        AssertGoldenIds(golden, output, " in invariant mode");
    }

    /// <summary>One JSON line of ids per golden sentence, each equal to the reference ids.</summary>
    private static void AssertGoldenIds(List<JsonNode> golden, string output, string context)
    {
        var lines = output.TrimEnd('\n').Split('\n');
        Assert.Equal(golden.Count, lines.Length);
        var mismatches = golden.Zip(lines)
            .Where(pair => pair.First["ids"]!.ToJsonString() != JsonNode.Parse(pair.Second)!["ids"]!.ToJsonString())
            .Select(pair => pair.First["text"]!.ToJsonString())
            .ToList();
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} sentences differ{context}, first: {mismatches.FirstOrDefault()}");
    }

    [Fact]
    public async Task TrainHeadThenEvaluate_SmallSplit_WritesALoadablePackageThatBeatsChance()
    {
        var train = Subset("train.jsonl", 300);
        var package = Path.Combine(_temporary, "package");

        var (trainExit, trainOutput, trainError) = await CliRunner.RunAsync(
            ["train-head", "--train", train, "--dev", Subset("dev.jsonl", 100), "--head", "linear", "--pooling", "mean", "--name", "polarity", "--model-name", "tiny", "--out", package]);
        var (evaluateExit, evaluateOutput, _) = await CliRunner.RunAsync(["evaluate", "--model", package, "--data", Subset("test.jsonl", 200)]);

        Assert.True(trainExit == 0, trainError);
        Assert.Equal("polarity", JsonNode.Parse(trainOutput)!["head"]!.GetValue<string>());
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(package, "manifest.json")))!;
        Assert.Equal("tiny", manifest["name"]!.GetValue<string>());
        Assert.Equal("mean", manifest["heads"]![0]!["pooling"]!.GetValue<string>());
        Assert.Equal(["negative", "positive"], manifest["heads"]![0]!["labels"]!.AsArray().Select(l => l!.GetValue<string>()));
        Assert.Equal(0, evaluateExit);
        var report = JsonNode.Parse(evaluateOutput)!["report"]!;
        Assert.Equal(200, report["count"]!.GetValue<int>());
        Assert.True(report["accuracy"]!.GetValue<double>() > 0.7, evaluateOutput);
        Assert.Equal(200, report["confusion"]!.AsArray().Sum(row => row!.AsArray().Sum(c => c!.GetValue<int>())));
    }

    [Fact]
    public async Task ComparePooling_SmallSplit_PrintsOneRowPerPoolingAndHead()
    {
        var (exitCode, output, error) = await CliRunner.RunAsync(
            ["compare-pooling", "--train", Subset("train.jsonl", 120), "--test", Subset("test.jsonl", 60), "--pooling", "cls,mean,max,last", "--head", "linear"]);

        Assert.True(exitCode == 0, error);
        var rows = output.Trim().Split('\n').Skip(2).Select(r => r.Split('|', StringSplitOptions.TrimEntries)).ToArray();
        Assert.Equal(["cls", "mean", "max", "last"], rows.Select(r => r[1]));
        Assert.All(rows, r => Assert.Equal("linear", r[2]));
        Assert.Contains("encoded 120/120 texts", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ComparePooling_FlattenCacheAndJson_AddsTheStudyVariantAndReusesFeatures()
    {
        var cache = Path.Combine(_temporary, "cache");
        var json = Path.Combine(_temporary, "results.json");
        string[] arguments =
        [
            "compare-pooling", "--train", Subset("train.jsonl", 80), "--test", Subset("test.jsonl", 40), "--pooling", "cls,mean",
            "--head", "linear", "--flatten", "2", "--cache", cache, "--json", json,
        ];

        var (firstExit, firstOutput, firstError) = await CliRunner.RunAsync(arguments);
        var (secondExit, secondOutput, secondError) = await CliRunner.RunAsync(arguments);

        Assert.True(firstExit == 0, firstError);
        Assert.Equal(0, secondExit);
        var rows = firstOutput.Trim().Split('\n').Skip(2).Select(r => r.Split('|', StringSplitOptions.TrimEntries)[1]).ToArray();
        Assert.Equal(["cls", "mean", "flatten2"], rows);
        Assert.Equal(firstOutput, secondOutput);
        Assert.Contains("encoding train (80 texts)", firstError, StringComparison.Ordinal);
        Assert.Contains("train: features from", secondError, StringComparison.Ordinal);
        Assert.DoesNotContain("encoding", secondError, StringComparison.Ordinal);
        var results = JsonNode.Parse(await File.ReadAllTextAsync(json))!["results"]!.AsArray();
        Assert.Equal(["cls", "mean", "flatten2"], results.Select(r => r!["pooling"]!.GetValue<string>()));
        Assert.All(results, r => Assert.InRange(r!["testAccuracy"]!.GetValue<double>(), 0, 1));
    }

    [Fact]
    public async Task Baseline_SentimentSplit_ReportsNaiveBayesAccuracy()
    {
        var (exitCode, output, _) = await CliRunner.RunAsync(["baseline", "--train", CliRunner.Data("train.jsonl"), "--test", CliRunner.Data("test.jsonl")]);

        Assert.Equal(0, exitCode);
        Assert.Equal(0.8241, JsonNode.Parse(output)!["report"]!["accuracy"]!.GetValue<double>());
    }

    [Theory]
    [InlineData("missing.jsonl", "does not exist; expected JSON Lines")]
    [InlineData("bad-json.jsonl", "line 2 is not valid JSON")]
    [InlineData("no-label.jsonl", "line 1 lacks \"text\" or \"label\"")]
    public async Task Baseline_BadDataFile_ExitsOneWithTheProblem(string file, string message)
    {
        await File.WriteAllTextAsync(Path.Combine(_temporary, "bad-json.jsonl"), "{\"id\":\"1\",\"text\":\"a\",\"label\":\"x\"}\n{not json}\n");
        await File.WriteAllTextAsync(Path.Combine(_temporary, "no-label.jsonl"), "{\"id\":\"1\",\"text\":\"a\"}\n");

        var (exitCode, output, error) = await CliRunner.RunAsync(["baseline", "--train", Path.Combine(_temporary, file), "--test", CliRunner.Data("test.jsonl")]);

        Assert.Equal(1, exitCode);
        Assert.Empty(output);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Classify_UnknownHead_ExitsOneWithTheHeadsThereAre()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(["classify", "--head", "topic", "hello"]);

        Assert.Equal(1, exitCode);
        Assert.Contains("error (InvalidInput): Head 'topic' does not exist in model arctic-xs-sentiment 1.0.0-int8; it has [sentiment].", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ComparePooling_UnknownPooling_ExitsWithAParseError()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(["compare-pooling", "--train", "a", "--test", "b", "--pooling", "cls,first"]);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Unknown pooling 'first'; expected cls, mean, max or last.", error, StringComparison.Ordinal);
    }

    private string Subset(string file, int count)
    {
        var lines = File.ReadLines(CliRunner.Data(file)).ToList();
        // Both labels: the split files are sorted by id, so take evenly spaced lines.
        var chosen = Enumerable.Range(0, count).Select(i => lines[i * lines.Count / count]);
        var path = Path.Combine(_temporary, $"{Path.GetFileNameWithoutExtension(file)}-{count}.jsonl");
        File.WriteAllLines(path, chosen);
        return path;
    }
}
