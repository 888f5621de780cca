namespace Serverless.Classifier.Tests;

/// <summary>Chunking on the real default model (arctic-embed-xs + sentiment head): windows, aggregation, spans, limits.</summary>
public sealed class ChunkingTests(DefaultModelFixture fixture) : IClassFixture<DefaultModelFixture>
{
    // About 700 word pieces of neutral text; the passage that decides the label comes after it, where truncation at 512
    // never looks.
    private static readonly string Filler = string.Concat(Enumerable.Repeat(
        "The meeting is on the third floor of the building next to the station. Bring the forms and a pen. ", 36));

    private const string NegativePassage =
        "This is the worst product I have ever bought, it broke after a day and support never answered. This is the worst product I have ever bought, " +
        "it broke after a day and support never answered. This is the worst product I have ever bought, it broke after a day and support never answered. ";

    private const string PositivePassage =
        "I love this phone, the screen is wonderful and the battery lasts for days. I love this phone, the screen is wonderful and the battery lasts " +
        "for days. I love this phone, the screen is wonderful and the battery lasts for days. ";

    private Task<ClassificationResult> ClassifyAsync(ClassificationRequest request) => fixture.Classifier.ClassifyAsync(request, TestContext.Token);

    [Theory]
    [InlineData(ChunkAggregate.Mean)]
    [InlineData(ChunkAggregate.Max)]
    public async Task ShortInput_ScoresExactlyAsWithoutChunking(ChunkAggregate aggregate)
    {
        string[] texts = ["I love this phone", "Terrible service, never again", "ok"];

        var plain = await ClassifyAsync(new ClassificationRequest { Texts = texts });
        var chunked = await ClassifyAsync(new ClassificationRequest { Texts = texts, Chunking = new Chunking { Aggregate = aggregate, ReturnChunks = true } });
        var withoutChunks = await ClassifyAsync(new ClassificationRequest { Texts = texts, Chunking = new Chunking { Aggregate = aggregate } });

        Assert.All(withoutChunks.Texts, t => Assert.Null(t.Chunks));
        Assert.Equal(plain.Texts.Select(t => t.Scores), withoutChunks.Texts.Select(t => t.Scores));
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(plain.Texts[i].Scores, chunked.Texts[i].Scores);
            var chunk = Assert.Single(chunked.Texts[i].Chunks!);
            Assert.Equal((0, texts[i].Length), (chunk.Start, chunk.End));
            Assert.Equal(plain.Texts[i].Scores, chunk.Scores);
        }
    }

    [Theory]
    [InlineData(NegativePassage, "negative")]
    [InlineData(PositivePassage, "positive")]
    public async Task DecidingPassageAfterToken600_ChunkingWithMaxFindsIt(string passage, string label)
    {
        var text = Filler + passage;

        var chunked = await ClassifyAsync(new ClassificationRequest { Texts = [text], Chunking = new Chunking { Aggregate = ChunkAggregate.Max, ReturnChunks = true } });

        var chunks = chunked.Texts[0].Chunks!;
        Assert.Equal(2, chunks.Count);
        Assert.Equal(label, chunked.Labels[Best(chunks[^1].Scores)]);
        Assert.Equal(label, chunked.Labels[Best(chunked.Texts[0].Scores)]);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(chunks.Max(c => c.Scores[i]), chunked.Texts[0].Scores[i]);
        }
    }

    [Fact]
    public async Task DecidingPassageAfterToken600_TruncationNeverSeesIt()
    {
        var truncated = await ClassifyAsync(new ClassificationRequest { Texts = [Filler + NegativePassage, Filler + PositivePassage, Filler] });

        // Each scores as the filler alone: the first 512 tokens are all it reads.
        Assert.Equal(truncated.Texts[2].Scores, truncated.Texts[0].Scores);
        Assert.Equal(truncated.Texts[2].Scores, truncated.Texts[1].Scores);
    }

    [Fact]
    public async Task Windows_CoverTheTextInOverlappingWordAlignedSpans_AndMeanAggregates()
    {
        var text = (Filler + NegativePassage).TrimEnd();

        var result = await ClassifyAsync(new ClassificationRequest { Texts = [text], Chunking = new Chunking { ReturnChunks = true } });

        var chunks = result.Texts[0].Chunks!;
        Assert.Equal(0, chunks[0].Start);
        Assert.Equal(text.Length, chunks[^1].End);
        for (var i = 1; i < chunks.Count; i++)
        {
            Assert.True(chunks[i].Start > chunks[i - 1].Start && chunks[i].Start < chunks[i - 1].End, $"window {i} starts at {chunks[i].Start}, previous is [{chunks[i - 1].Start}, {chunks[i - 1].End})");
        }

        Assert.All(chunks, c => Assert.True(c.Start == 0 || text[c.Start - 1] == ' ', $"window at {c.Start} starts inside a word"));
        Assert.All(chunks, c => Assert.True(c.End == text.Length || text[c.End] == ' ', $"window ending at {c.End} ends inside a word"));
        for (var label = 0; label < 2; label++)
        {
            Assert.Equal(chunks.Average(c => c.Scores[label]), result.Texts[0].Scores[label], 5);
        }
    }

    [Fact]
    public async Task Chunking_AcceptsInputsOverMaxCharsPerInput_UpToMaxCharsPerChunkedInput()
    {
        var text = string.Concat(Enumerable.Repeat("The parcel arrived on a Tuesday. ", 700));
        Assert.True(text.Length > 20_000);

        var result = await ClassifyAsync(new ClassificationRequest { Texts = [text], Chunking = new Chunking { Stride = 0, ReturnChunks = true } });

        // 700 sentences of 7 word pieces (the, parcel, arrived, on, a, tuesday, .): 4,900 pieces in windows of 510.
        var chunks = result.Texts[0].Chunks!;
        Assert.Equal(10, chunks.Count);
        Assert.Equal(text.Length - 1, chunks[^1].End);
    }

    public static TheoryData<ClassificationRequest, ClassifierErrorKind, string, string> InvalidRequests => new()
    {
        {
            new ClassificationRequest { Texts = ["ok", new string('a', 200_001)], Chunking = new Chunking() },
            ClassifierErrorKind.PayloadTooLarge, "inputs[1]", "inputs[1] has 200001 characters; at most 200000 are allowed with chunking. Split the document."
        },
        {
            // 65 windows of 510 word pieces without overlap.
            new ClassificationRequest { Texts = [string.Join(" ", Enumerable.Repeat("word", 510 * 64 + 1))], Chunking = new Chunking { Stride = 0 } },
            ClassifierErrorKind.PayloadTooLarge, "inputs[0]", "inputs[0] needs 65 windows of 510 word pieces (chunk_stride 0); at most 64 are allowed per input. Split the document, or lower chunk_stride."
        },
        {
            new ClassificationRequest { Texts = ["ok"], Chunking = new Chunking { Stride = 510 } },
            ClassifierErrorKind.InvalidInput, "parameters.chunk_stride", "chunk_stride is 510; it must be at least 0 and less than 510, the word pieces of one window (512 tokens less [CLS] and [SEP])."
        },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task InvalidChunkedRequest_ThrowsKindFieldAndMessage(ClassificationRequest request, ClassifierErrorKind kind, string field, string message)
    {
        var exception = await Assert.ThrowsAsync<ClassifierException>(() => ClassifyAsync(request));

        Assert.Equal((kind, field), (exception.Kind, exception.Field));
        Assert.Equal(message, exception.Message);
    }

    private static int Best(IReadOnlyList<float> scores) => Enumerable.Range(0, scores.Count).MaxBy(i => scores[i]);
}
