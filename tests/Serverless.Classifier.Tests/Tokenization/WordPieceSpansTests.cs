using Serverless.Classifier.Tokenization;

namespace Serverless.Classifier.Tests.Tokenization;

/// <summary>The word pieces chunking splits into windows: those of the whole text, with word spans.</summary>
public sealed class WordPieceSpansTests
{
    public static TheoryData<string> Texts =>
    [
        "Hello, world! It's 3:45pm.",
        "  leading and trailing spaces  ",
        "tab\tnew\nline\r\ncarriage",
        "vertical\u000Btab and next\u0085line are dropped by cleaning, not separators",
        "no\u00A0break and ideographic\u3000space",
        "ΟΔΟΣ ΟΔΟΣ. Σ Σ",
        "中文字符 mixed with English",
        "special [SEP] tokens [CLS]inside[MASK] text",
        "emoji 😀👍 and accents café naïve",
        "a-very-long-hyphenated-word_with_underscores and antidisestablishmentarianism",
    ];

    [Theory]
    [MemberData(nameof(Texts))]
    public void EncodeWithSpans_GivesThePiecesOfTheWholeText_EachInsideItsWord(string text)
    {
        var tokenizer = GoldenTokenizerTests.Tokenizer.Value;

        var pieces = tokenizer.EncodeWithSpans(text);

        Assert.Equal(tokenizer.Encode(text, int.MaxValue).Ids[1..^1], pieces.Ids);
        Assert.All(pieces.Spans, s => Assert.True(s.End > s.Start && !text[s.Start..s.End].Any(c => c is ' ' or '\t' or '\n' or '\r'), $"span [{s.Start}, {s.End})"));
    }

    [Fact]
    public void EncodeWithSpans_EveryGoldenSentence_GivesThePiecesOfTheWholeText()
    {
        var tokenizer = GoldenTokenizerTests.Tokenizer.Value;
        var texts = File.ReadLines(TestPaths.TestData("tokenizer-golden.jsonl")).Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("text").GetString()!).ToList();

        var mismatches = texts.Where(text =>
        {
            var whole = tokenizer.Encode(text, int.MaxValue).Ids;
            return !tokenizer.EncodeWithSpans(text).Ids.AsSpan().SequenceEqual(whole.AsSpan(1, whole.Length - 2));
        }).ToList();

        Assert.True(texts.Count >= 2000, $"{texts.Count} golden sentences");
        Assert.Empty(mismatches);
    }

    [Theory]
    [InlineData(510, 510, 127, new[] { 0 })]
    [InlineData(511, 510, 127, new[] { 0, 1 })]
    [InlineData(1000, 510, 127, new[] { 0, 383, 490 })]
    [InlineData(1020, 510, 0, new[] { 0, 510 })]
    [InlineData(0, 510, 127, new[] { 0 })]
    public void TextWindows_FullWindowsOverlappingByTheStride_TheLastEndingAtTheLastPiece(int pieces, int width, int overlap, int[] starts)
    {
        var count = TextWindows.Count(pieces, width, overlap);

        Assert.Equal(starts, Enumerable.Range(0, count).Select(w => TextWindows.Start(w, pieces, width, overlap)));
    }
}
