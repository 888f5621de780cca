namespace Serverless.Classifier.Tests;

/// <summary>Text pairs on the real default model: one result per pair, token types that travel with each row.</summary>
public sealed class TextPairTests(DefaultModelFixture fixture) : IClassFixture<DefaultModelFixture>
{
    private const string First = "The battery died after two days.";
    private const string Second = "Great value for the price, would buy again.";

    private Task<ClassificationResult> ClassifyAsync(ClassificationRequest request) => fixture.Classifier.ClassifyAsync(request, TestContext.Token);

    [Fact]
    public async Task Pairs_OneResultPerPair_SameAloneAndBatchedWithSingleTexts()
    {
        var alone = await ClassifyAsync(new ClassificationRequest { Texts = [First], SecondTexts = [Second] });
        var single = await ClassifyAsync(new ClassificationRequest { Texts = [First] });
        var longer = string.Join(" ", Enumerable.Repeat("The screen is bright, the speaker is loud and the case feels solid in the hand.", 6));
        var mixed = await ClassifyAsync(new ClassificationRequest { Texts = [longer, First, First, Second], SecondTexts = [null, Second, null, First] });

        Assert.Equal(4, mixed.Texts.Count);
        AssertClose(alone.Texts[0].Scores, mixed.Texts[1].Scores);
        AssertClose(single.Texts[0].Scores, mixed.Texts[2].Scores);
        // The second segment is read (token type 1), and the order of the pair matters.
        Assert.NotEqual(single.Texts[0].Scores, alone.Texts[0].Scores);
        Assert.NotEqual(alone.Texts[0].Scores, mixed.Texts[3].Scores);
    }

    [Fact]
    public async Task LongPair_IsCutWithLongestFirst_OrRefusedWithoutTruncation()
    {
        var longText = string.Join(" ", Enumerable.Repeat("word", 600));

        var cut = await ClassifyAsync(new ClassificationRequest { Texts = [longText], SecondTexts = [Second] });
        var exception = await Assert.ThrowsAsync<ClassifierException>(() => ClassifyAsync(new ClassificationRequest { Texts = [longText], SecondTexts = [Second], Truncation = false }));

        // longest_first keeps the whole short side and 509 - its pieces of the long one: the same as sending that much.
        var secondPieces = fixture.Classifier.Tokenizer!.Encode(Second, int.MaxValue).Ids.Length - 2;
        var fitted = await ClassifyAsync(new ClassificationRequest { Texts = [string.Join(" ", Enumerable.Repeat("word", 509 - secondPieces))], SecondTexts = [Second] });
        Assert.Equal(fitted.Texts[0].Scores, cut.Texts[0].Scores);
        Assert.Equal((ClassifierErrorKind.InvalidInput, "inputs[0]"), (exception.Kind, exception.Field));
        Assert.Equal(
            "inputs[0] is longer than the model's maximum of 512 tokens as a text pair; shorten it, or set truncation to true to cut it (longest_first).", exception.Message);
    }

    public static TheoryData<ClassificationRequest, ClassifierErrorKind, string, string> InvalidRequests => new()
    {
        {
            new ClassificationRequest { Texts = ["a", "b"], SecondTexts = [null, "c"], Chunking = new Chunking() },
            ClassifierErrorKind.InvalidInput, "inputs[1]",
            "inputs[1] is a text pair; chunking splits single long texts only. Send the pair without chunking (it is cut with longest_first), or as one text."
        },
        { new ClassificationRequest { Texts = ["a"], SecondTexts = [""] }, ClassifierErrorKind.InvalidInput, "inputs[0].text_pair", "inputs[0].text_pair is empty; send text to classify." },
        {
            new ClassificationRequest { Texts = ["a"], SecondTexts = [new string('b', 20_001)] },
            ClassifierErrorKind.PayloadTooLarge, "inputs[0].text_pair", "inputs[0].text_pair has 20001 characters; at most 20000 are allowed. Shorten it, or turn chunking on to classify a long document in windows."
        },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task InvalidPairRequest_ThrowsKindFieldAndMessage(ClassificationRequest request, ClassifierErrorKind kind, string field, string message)
    {
        var exception = await Assert.ThrowsAsync<ClassifierException>(() => ClassifyAsync(request));

        Assert.Equal((kind, field, message), (exception.Kind, exception.Field, exception.Message));
    }

    private static void AssertClose(IReadOnlyList<float> expected, IReadOnlyList<float> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f, $"label {i}: {expected[i]} vs {actual[i]}");
        }
    }
}
