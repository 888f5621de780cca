using System.Text.Json;
using Serverless.Classifier.Model;
using Serverless.Classifier.Tokenization;

namespace Serverless.Classifier.Tests.Tokenization;

/// <summary>
/// Parity with Hugging Face's BERT tokenizer on 3,000 varied sentences. The reference ids come from transformers.js
/// (TestData/reference/make-tokenizer-golden.mjs), an independent implementation, with the default model's vocabulary.
/// </summary>
public sealed class GoldenTokenizerTests
{
    /// <summary>The default model's BERT-uncased vocabulary with default flags, loaded once for the tokenizer tests.</summary>
    internal static readonly Lazy<WordPieceTextTokenizer> Tokenizer = new(() =>
    {
        using var vocabulary = File.OpenRead(TestPaths.DefaultVocabulary);
        return WordPieceTextTokenizer.Create(vocabulary, new TokenizerManifest { File = "vocab.txt", Sha256 = new string('0', 64) }, "vocab.txt");
    });

    private static IEnumerable<GoldenRow> Rows() =>
        File.ReadLines(TestPaths.TestData("tokenizer-golden.jsonl")).Select(line => JsonSerializer.Deserialize<GoldenRow>(line, JsonSerializerOptions.Web)!);

    [Fact]
    public void Encode_EveryGoldenSentence_GivesTheReferenceIds()
    {
        var rows = Rows().ToList();
        Assert.True(rows.Count >= 2000, $"the golden set has {rows.Count} sentences; expected at least 2,000");

        var mismatches = rows
            .Select(row => (row, actual: Tokenizer.Value.Encode(row.Text).Ids))
            .Where(x => !x.actual.SequenceEqual(x.row.Ids))
            .Select(x => $"{JsonSerializer.Serialize(x.row.Text)}: expected [{string.Join(",", x.row.Ids)}] got [{string.Join(",", x.actual)}]")
            .ToList();

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {rows.Count} differ:\n{string.Join("\n", mismatches.Take(20))}");
    }

    [Fact]
    public void Encode_LeftTruncatedTo16_KeepsTheLast14ReferencePiecesBetweenClsAndSep()
    {
        var rows = Rows().Where(r => r.Ids.Length > 16).ToList();
        Assert.True(rows.Count > 500, $"only {rows.Count} golden sentences are longer than 16 ids");

        var mismatches = rows
            .Select(row => (row, expected: (int[])[row.Ids[0], .. row.Ids[^15..^1], row.Ids[^1]], actual: Tokenizer.Value.Encode(row.Text, 16, TruncationDirection.Left)))
            .Where(x => !x.actual.Truncated || !x.actual.Ids.SequenceEqual(x.expected))
            .Select(x => JsonSerializer.Serialize(x.row.Text))
            .ToList();

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {rows.Count} differ: {string.Join("\n", mismatches.Take(5))}");
        var shortText = Tokenizer.Value.Encode("a short one", 16, TruncationDirection.Left);
        Assert.Equal(Tokenizer.Value.Encode("a short one", 16).Ids, shortText.Ids);
        Assert.False(shortText.Truncated);
    }

    [Fact]
    public void Encode_TruncatedTo16_GivesTheReferenceIdsWithClsFirstAndSepLast()
    {
        var rows = Rows().ToList();
        var mismatches = rows
            .Select(row => (row, actual: Tokenizer.Value.Encode(row.Text, maxLength: 16)))
            .Where(x => !x.actual.Ids.SequenceEqual(x.row.Ids16) || x.actual.Truncated != (x.row.Ids.Length > 16))
            .Select(x => $"{JsonSerializer.Serialize(x.row.Text)}: expected [{string.Join(",", x.row.Ids16)}] got [{string.Join(",", x.actual.Ids)}] truncated={x.actual.Truncated}")
            .ToList();

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {rows.Count} differ:\n{string.Join("\n", mismatches.Take(20))}");
        Assert.Contains(rows, row => row.Ids.Length > 16);
    }

    private sealed record GoldenRow(string Text, int[] Ids, int[] Ids16);
}
