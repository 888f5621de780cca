using System.Text.Json.Nodes;

namespace ModelExport.Tests;

/// <summary><c>evaluate</c>'s chunking and yes/no options, and <c>calibrate</c>'s refusals, on the default model.</summary>
public sealed class EvaluateOptionsTests
{
    [Fact]
    public async Task Evaluate_ShortTexts_ScoreTheSameWithAndWithoutChunking_AndAsAYesNoQuestion()
    {
        var data = CliRunner.Data("dev.jsonl");

        var (plainExit, plain, plainError) = await CliRunner.RunAsync(["evaluate", "--model", TestPaths.DefaultModel, "--data", data]);
        var (chunkExit, chunked, chunkError) = await CliRunner.RunAsync(["evaluate", "--model", TestPaths.DefaultModel, "--data", data, "--chunking", "--chunk-aggregate", "max"]);
        var (yesNoExit, yesNo, yesNoError) = await CliRunner.RunAsync(["evaluate", "--model", TestPaths.DefaultModel, "--data", data, "--positive-label", "positive"]);

        Assert.True(plainExit + chunkExit + yesNoExit == 0, plainError + chunkError + yesNoError);
        var accuracy = JsonNode.Parse(plain)!["report"]!["accuracy"]!.GetValue<double>();
        Assert.Equal(accuracy, JsonNode.Parse(chunked)!["report"]!["accuracy"]!.GetValue<double>());
        // With two softmax labels, "positive when its score >= 0.5" is the best label (ties aside).
        Assert.Equal(accuracy, JsonNode.Parse(yesNo)!["report"]!["accuracy"]!.GetValue<double>());
        Assert.Equal("max", JsonNode.Parse(chunked)!["chunking"]!["aggregate"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(new[] { "evaluate", "--chunk-stride", "8" }, "--chunk-aggregate, --chunk-stride and --chunk-size apply only with --chunking.")]
    [InlineData(new[] { "evaluate", "--positive-label", "neutral" }, "--positive-label 'neutral' needs a two-label head that has it; head 'sentiment' has [negative, positive].")]
    [InlineData(new[] { "calibrate", "--head", "topic" }, "Head 'topic' does not exist; the package has [sentiment].")]
    public async Task BadOption_ExitsOneSayingWhy(string[] args, string message)
    {
        var (exitCode, _, error) = await CliRunner.RunAsync([.. args, "--model", TestPaths.DefaultModel, "--data", CliRunner.Data("dev.jsonl")]);

        Assert.Equal(1, exitCode);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }
}
