using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serverless.Classifier.Model;

namespace Serverless.Classifier.Tests;

/// <summary>The classifier end to end on the real default model (arctic-embed-xs + sentiment head).</summary>
public sealed class TextClassifierTests(DefaultModelFixture fixture) : IClassFixture<DefaultModelFixture>
{
    private const float Tolerance = 1e-5f;

    private Task<ClassificationResult> ClassifyAsync(ClassificationRequest request) => fixture.Classifier.ClassifyAsync(request, TestContext.Token);

    private Task<ClassificationResult> ClassifyAsync(params string[] texts) => ClassifyAsync(new ClassificationRequest { Texts = texts });

    [Fact]
    public async Task ClassifyAsync_ClearSentiment_GivesExpectedLabelsInInputOrder()
    {
        var result = await ClassifyAsync("I love this phone", "Terrible service, never again");

        Assert.Equal(["positive", "negative"], Best(result));
        Assert.All(result.Texts, t => Assert.True(t.Scores.Max() > 0.9f, $"best score {t.Scores.Max()}"));
        Assert.Equal(["negative", "positive"], result.Labels);
        Assert.Null(result.Texts[0].Selected);
        Assert.Equal("arctic-xs-sentiment", result.ModelName);
        Assert.Equal("1.0.0", result.ModelVersion);
        Assert.Equal("sentiment", result.Head);
    }

    [Fact]
    public async Task ClassifyAsync_Softmax_ScoresInLabelOrderSumToOne()
    {
        var result = await ClassifyAsync("It was fine, I guess.");

        var scores = result.Texts[0].Scores;
        Assert.Equal(2, scores.Count);
        Assert.Equal(1f, scores.Sum(), 5);
        Assert.Equal(Activation.Softmax, result.Activation);
    }

    [Fact]
    public async Task ClassifyAsync_TextAloneAndInPaddedBatch_GivesSameScores()
    {
        const string text = "The battery died after two days.";
        var alone = await ClassifyAsync(text);
        var longer = string.Join(" ", Enumerable.Repeat("The screen is bright, the speaker is loud and the case feels solid in the hand.", 6));

        var batched = await ClassifyAsync(new ClassificationRequest
        {
            Texts = [longer, text, longer + " Still, it overheats.", "ok"],
        });

        AssertSameScores(alone.Texts[0].Scores, batched.Texts[1].Scores);
    }

    [Fact]
    public async Task ClassifyAsync_RequestsMergedIntoOneBatch_GiveTheSameScoresAsAlone()
    {
        using var capture = new LogCapture();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(capture).SetMinimumLevel(LogLevel.Debug));
        // A long batch wait makes merging certain: every request below arrives while the first one waits for company.
        services.AddTextClassifier().Configure(o => (o.ModelPath, o.MaxBatchWaitMs) = (TestPaths.DefaultModel, 500));
        await using var provider = services.BuildServiceProvider();
        var classifier = provider.GetRequiredService<ITextClassifier>();
        await classifier.LoadAsync(TestContext.Token);
        var longer = string.Join(" ", Enumerable.Repeat("The screen is bright, the speaker is loud and the case feels solid in the hand.", 6));
        string[] texts = ["The battery died after two days.", longer, "ok", longer + " Still, it overheats.", "Great value for the price, would buy again."];
        var alone = new List<ClassificationResult>();
        foreach (var text in texts)
        {
            alone.Add(await classifier.ClassifyAsync(new ClassificationRequest { Texts = [text] }, TestContext.Token));
        }

        var merged = await Task.WhenAll(texts.Select(text => classifier.ClassifyAsync(new ClassificationRequest { Texts = [text] }, TestContext.Token)));

        // The three short texts share a batch, and the two long ones another (long and short are not padded together).
        Assert.Contains(capture.Entries, e => e.EventId == 2000 && e.Message.StartsWith("Encoded a batch of 3 rows from 3 requests,", StringComparison.Ordinal));
        Assert.Contains(capture.Entries, e => e.EventId == 2000 && e.Message.StartsWith("Encoded a batch of 2 rows from 2 requests,", StringComparison.Ordinal));
        for (var i = 0; i < texts.Length; i++)
        {
            AssertSameScores(alone[i].Texts[0].Scores, merged[i].Texts[0].Scores);
        }
    }

    [Fact]
    public async Task ClassifyAsync_ParallelCalls_GiveTheSameAnswersAsSerialOnes()
    {
        string[] texts = ["Great value.", "Broke in a week.", "Not bad at all.", "Worst purchase ever.", "Works as described."];
        var serial = new List<ClassificationResult>();
        foreach (var text in texts)
        {
            serial.Add(await ClassifyAsync(text));
        }

        var parallel = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => ClassifyAsync(texts[i % texts.Length]))));

        for (var i = 0; i < parallel.Length; i++)
        {
            AssertSameScores(serial[i % texts.Length].Texts[0].Scores, parallel[i].Texts[0].Scores);
        }
    }

    [Fact]
    public async Task ClassifyAsync_FunctionToApply_ShapesTheScores()
    {
        var softmax = await ClassifyAsync("I love it");
        var raw = await ClassifyAsync(new ClassificationRequest { Texts = ["I love it"], FunctionToApply = Activation.None });
        var sigmoid = await ClassifyAsync(new ClassificationRequest { Texts = ["I love it"], FunctionToApply = Activation.Sigmoid });

        var logits = raw.Texts[0].Scores;
        Assert.Equal(Activation.None, raw.Activation);
        Assert.Equal(1f / (1f + MathF.Exp(logits[0] - logits[1])), softmax.Texts[0].Scores[1], 5);
        Assert.Equal(logits.Select(l => 1f / (1f + MathF.Exp(-l))), sigmoid.Texts[0].Scores, new Inference.PoolingMathTests.FloatTolerance(1e-5f));
        // A softmax head scored with sigmoid has no thresholds: nothing is marked selected.
        Assert.Null(sigmoid.Texts[0].Selected);
    }

    [Fact]
    public async Task ClassifyAsync_LeftTruncation_KeepsTheEndOfAnOverLongInput()
    {
        // About 600 negative word pieces, then about 600 positive ones: each end alone decides the label.
        var text = string.Concat(Enumerable.Repeat("terrible awful broken ", 200)) + string.Concat(Enumerable.Repeat("great excellent wonderful ", 200));

        var right = await ClassifyAsync(new ClassificationRequest { Texts = [text] });
        var left = await ClassifyAsync(new ClassificationRequest { Texts = [text], TruncationDirection = TruncationDirection.Left });

        Assert.Equal(["negative"], Best(right));
        Assert.Equal(["positive"], Best(left));
    }

    [Fact]
    public async Task ClassifyAsync_OverLongInputWithTruncation_IsClassified()
    {
        var longText = string.Join(" ", Enumerable.Repeat("good", 600));

        var result = await ClassifyAsync(new ClassificationRequest { Texts = [longText] });

        Assert.Equal(["positive"], Best(result));
    }

    public static TheoryData<ClassificationRequest, ClassifierErrorKind, string, string> InvalidRequests => new()
    {
        { new ClassificationRequest { Texts = [] }, ClassifierErrorKind.InvalidInput, "inputs", "inputs is empty" },
        { new ClassificationRequest { Texts = ["ok", null!] }, ClassifierErrorKind.InvalidInput, "inputs[1]", "inputs[1] is null" },
        { new ClassificationRequest { Texts = ["ok"], Head = "topic" }, ClassifierErrorKind.InvalidInput, "parameters.head", "Head 'topic' does not exist in model arctic-xs-sentiment 1.0.0; it has [sentiment]" },
        {
            new ClassificationRequest { Texts = ["fine", string.Join(" ", Enumerable.Repeat("word", 600))], Truncation = false },
            ClassifierErrorKind.InvalidInput, "inputs[1]", "inputs[1] is longer than the model's maximum of 512 tokens; shorten it, set truncation to true to cut it, or turn chunking on"
        },
        { new ClassificationRequest { Texts = [.. Enumerable.Repeat("x", 257)] }, ClassifierErrorKind.PayloadTooLarge, "inputs", "inputs has 257 items; at most 256" },
        { new ClassificationRequest { Texts = ["x", new string('a', 20_001)] }, ClassifierErrorKind.PayloadTooLarge, "inputs[1]", "inputs[1] has 20001 characters; at most 20000" },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task ClassifyAsync_InvalidRequest_ThrowsKindFieldAndMessage(ClassificationRequest request, ClassifierErrorKind kind, string field, string message)
    {
        var exception = await Assert.ThrowsAsync<ClassifierException>(() => ClassifyAsync(request));

        Assert.Equal(kind, exception.Kind);
        Assert.Equal(field, exception.Field);
        Assert.Contains(message, exception.Message, StringComparison.Ordinal);
    }

    public static TheoryData<ClassificationRequest, InvalidInputRule> InvalidInputRules => new()
    {
        { new ClassificationRequest { Texts = [] }, InvalidInputRule.Empty },
        { new ClassificationRequest { Texts = ["ok", ""] }, InvalidInputRule.Empty },
        { new ClassificationRequest { Texts = ["a"], SecondTexts = [""] }, InvalidInputRule.Empty },
        { new ClassificationRequest { Texts = ["ok", " \t\u200B"] }, InvalidInputRule.Other },
        { new ClassificationRequest { Texts = ["ok", "empty \uD800"] }, InvalidInputRule.Other },
        { new ClassificationRequest { Texts = ["empty"], Head = "empty" }, InvalidInputRule.Other },
        { new ClassificationRequest { Texts = [string.Join(" ", Enumerable.Repeat("word", 600))], Truncation = false }, InvalidInputRule.TooLong },
        { new ClassificationRequest { Texts = ["a"], SecondTexts = [string.Join(" ", Enumerable.Repeat("word", 600))], Truncation = false }, InvalidInputRule.TooLong },
    };

    /// <summary>Adapters tell empty and over-long inputs apart by the rule, not by the message's words ("empty" may be a head's name).</summary>
    [Theory]
    [MemberData(nameof(InvalidInputRules))]
    public async Task ClassifyAsync_InvalidInput_NamesTheRuleBroken(ClassificationRequest request, InvalidInputRule rule)
    {
        var exception = await Assert.ThrowsAsync<ClassifierException>(() => ClassifyAsync(request));

        Assert.Equal((ClassifierErrorKind.InvalidInput, rule), (exception.Kind, exception.Rule));
    }

    [Fact]
    public async Task ClassifyAsync_ModelPathMissing_ThrowsModelUnavailable()
    {
        await using var services = DefaultModelFixture.CreateServices(Path.Combine(Path.GetTempPath(), "no-such-model-" + Guid.NewGuid()));
        var classifier = services.GetRequiredService<ITextClassifier>();

        var exception = await Assert.ThrowsAsync<ClassifierException>(() => classifier.ClassifyAsync(new ClassificationRequest { Texts = ["hi"] }, TestContext.Token));

        Assert.Equal(ClassifierErrorKind.ModelUnavailable, exception.Kind);
        Assert.Contains("does not exist. Set Classifier:ModelPath", exception.Message, StringComparison.Ordinal);
        Assert.Null(classifier.Manifest);
    }

    [Fact]
    public async Task Swap_UnderConcurrentRequests_FailsNoneAndDisposesTheOldModelAfterItsLastRequest()
    {
        var classifier = fixture.TextClassifier;
        using var stop = new CancellationTokenSource();
        var failures = 0;
        var completed = 0;
        var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var result = await classifier.ClassifyAsync(new ClassificationRequest { Texts = ["I love it", "I hate it"] }, TestContext.Token);
                    Assert.Equal(["positive", "negative"], Best(result));
                    Interlocked.Increment(ref completed);
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToArray();

        var retired = new List<ClassifierModel> { classifier.Current! };
        for (var swap = 0; swap < 3; swap++)
        {
            var replacement = await DefaultModelFixture.LoadModelAsync(TestPaths.DefaultModel, TestContext.Token);
            await Task.Delay(150);
            classifier.Swap(replacement);
            retired.Add(replacement);
        }

        await Task.Delay(150);
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        Assert.Equal(0, failures);
        Assert.True(completed > 4, $"only {completed} requests completed");
        Assert.All(retired[..^1], model => Assert.True(model.IsDisposed));
        Assert.False(retired[^1].IsDisposed);
        Assert.Same(retired[^1], classifier.Current);
    }

    [Fact]
    public async Task Score_TwoHeadsWithDifferentPoolings_OnePassEqualsSeparatePasses()
    {
        using var package = TemporaryPackage.CopyOfDefaultModel();
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(package.Directory, "manifest.json"), TestContext.Token))!;
        var second = manifest["heads"]![0]!.DeepClone();
        second["name"] = "sentiment-mean";
        second["pooling"] = "mean";
        manifest["heads"]!.AsArray().Add(second);
        await File.WriteAllTextAsync(Path.Combine(package.Directory, "manifest.json"), manifest.ToJsonString(), TestContext.Token);
        using var model = await DefaultModelFixture.LoadModelAsync(package.Directory, TestContext.Token);
        string[] texts = ["great", "awful, truly awful", "meh"];
        var inputs = texts.Select(t => model.Tokenizer.Encode(t).Ids).ToArray();
        var (cls, mean) = (model.Heads["sentiment"], model.Heads["sentiment-mean"]);

        var together = model.Score(inputs, [cls, mean], 4096, 32, TestContext.Token);

        Assert.Equal(model.Score(inputs, [cls], 4096, 32, TestContext.Token)[0], together[0]);
        Assert.Equal(model.Score(inputs, [mean], 4096, 32, TestContext.Token)[0], together[1]);
        Assert.NotEqual(together[0], together[1]);
    }

    /// <summary>The best label of each text.</summary>
    private static string[] Best(ClassificationResult result) =>
        [.. result.Texts.Select(t => result.Labels[Enumerable.Range(0, t.Scores.Count).MaxBy(i => t.Scores[i])])];

    private static void AssertSameScores(IReadOnlyList<float> expected, IReadOnlyList<float> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance, $"label {i}: {expected[i]} vs {actual[i]}");
        }
    }
}
