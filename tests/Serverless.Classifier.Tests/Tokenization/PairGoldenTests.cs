using System.Text.Json;
using Serverless.Classifier.Tokenization;

namespace Serverless.Classifier.Tests.Tokenization;

/// <summary>
/// Text pairs as Hugging Face encodes them: 510 real sentence pairs whose ids and token types come from transformers.js
/// (TestData/reference/make-pair-golden.mjs), untruncated and cut to 32 tokens with longest_first.
/// </summary>
public sealed class PairGoldenTests
{
    private static IEnumerable<PairRow> Rows() =>
        File.ReadLines(TestPaths.TestData("pair-golden.jsonl")).Select(line => JsonSerializer.Deserialize<PairRow>(line, JsonSerializerOptions.Web)!);

    [Fact]
    public void EncodePair_EveryGoldenPair_GivesTheReferenceIdsAndTokenTypes()
    {
        var tokenizer = GoldenTokenizerTests.Tokenizer.Value;
        var rows = Rows().ToList();

        var mismatches = rows.Where(row =>
        {
            var pair = tokenizer.EncodePair(row.Text, row.TextPair, int.MaxValue, TruncationDirection.Right);
            return !pair.Ids.SequenceEqual(row.Ids) || !pair.TypeIds.SequenceEqual(row.TypeIds) || pair.Truncated;
        }).Select(row => row.Text).ToList();

        Assert.Equal(510, rows.Count);
        Assert.Empty(mismatches);
    }

    [Fact]
    public void EncodePair_TruncatedTo32_GivesLongestFirstOfTheReferencePieces()
    {
        var tokenizer = GoldenTokenizerTests.Tokenizer.Value;
        var rows = Rows().ToList();

        var mismatches = rows.Where(row =>
        {
            var pair = tokenizer.EncodePair(row.Text, row.TextPair, 32, TruncationDirection.Right);
            return !pair.Ids.SequenceEqual(row.Ids32) || !pair.TypeIds.SequenceEqual(row.TypeIds32) || pair.Truncated != (row.Ids.Length > 32);
        }).Select(row => row.Text).ToList();

        Assert.True(rows.Count(r => r.Ids.Length > 32) >= 200, "the golden set should truncate at least 200 pairs");
        Assert.Empty(mismatches);
    }

    // The table of Hugging Face's own test (tokenizers/src/utils/truncation.rs, truncate_encodings_longest_first):
    // sides of 0, 2, 4 and 8 pieces, at most 7 in all.
    [Theory]
    [InlineData(0, 0, 0, 0)]
    [InlineData(0, 8, 0, 7)]
    [InlineData(2, 8, 2, 5)]
    [InlineData(4, 4, 3, 4)]
    [InlineData(4, 8, 3, 4)]
    [InlineData(8, 0, 7, 0)]
    [InlineData(8, 2, 5, 2)]
    [InlineData(8, 4, 4, 3)]
    [InlineData(8, 8, 3, 4)]
    [InlineData(2, 4, 2, 4)]
    public void LongestFirst_MatchesHuggingFacesTable(int first, int second, int keepFirst, int keepSecond) =>
        Assert.Equal((keepFirst, keepSecond), WordPieceTextTokenizer.LongestFirst(first, second, 7));

    [Fact]
    public void EncodePair_LeftTruncation_KeepsTheEndOfEachSide()
    {
        var tokenizer = GoldenTokenizerTests.Tokenizer.Value;
        var first = string.Join(" ", Enumerable.Range(1, 20).Select(i => $"a{i}"));
        var second = "the end";

        var right = tokenizer.EncodePair(first, second, 10, TruncationDirection.Right);
        var left = tokenizer.EncodePair(first, second, 10, TruncationDirection.Left);

        var a = tokenizer.Encode(first, int.MaxValue).Ids;
        Assert.Equal(a.AsSpan(1, 5).ToArray(), right.Ids.AsSpan(1, 5).ToArray());
        Assert.Equal(a.AsSpan(a.Length - 6, 5).ToArray(), left.Ids.AsSpan(1, 5).ToArray());
        Assert.Equal(left.Ids.AsSpan(7).ToArray(), right.Ids.AsSpan(7).ToArray());
    }

    private sealed record PairRow(string Text, string TextPair, int[] Ids, int[] TypeIds, int[] Ids32, int[] TypeIds32);
}
