namespace Serverless.Classifier.Hosting.Http;

/// <summary>The presentation of scores over HTTP: labels sorted by score, highest first, at most top_k.</summary>
internal static class LabelRanking
{
    /// <summary>Labels with their scores, highest first (ties keep label order), at most <paramref name="topK"/> (null: all),
    /// each marked <c>selected</c> when <paramref name="selected"/> (a sigmoid head's thresholds) says so.</summary>
    public static LabelScore[] Rank(IReadOnlyList<float> scores, IReadOnlyList<bool>? selected, IReadOnlyList<string> labels, int? topK)
    {
        // A stable sort, so equal scores stay in manifest order.
        return [.. Enumerable.Range(0, scores.Count)
            .OrderByDescending(i => scores[i])
            .ThenBy(i => i)
            .Take(topK ?? scores.Count)
            .Select(i => new LabelScore(labels[i], scores[i], selected?[i]))];
    }

    /// <summary>One input's entry: its ranked labels, or, when it was chunked with <c>return_chunks</c>, an object with its
    /// labels and each window's span and labels.</summary>
    public static object Entry(TextScores text, IReadOnlyList<string> labels, int? topK)
    {
        var ranked = Rank(text.Scores, text.Selected, labels, topK);
        return text.Chunks is null
            ? ranked
            : new ChunkedEntry(ranked, [.. text.Chunks.Select(c => new ChunkEntry(c.Start, c.End, Rank(c.Scores, c.Selected, labels, topK)))]);
    }
}

/// <summary>An input classified in windows, with <c>return_chunks</c>.</summary>
internal sealed record ChunkedEntry(LabelScore[] Labels, ChunkEntry[] Chunks);

/// <summary>One window: the characters <c>[start, end)</c> of the input it covers and its labels.</summary>
internal sealed record ChunkEntry(int Start, int End, LabelScore[] Labels);

/// <summary>One label and its score, as the HTTP API returns it.</summary>
/// <param name="Label">The label's name, as in the head's manifest.</param>
/// <param name="Score">Softmax or sigmoid probability, or the raw logit when the activation is none.</param>
/// <param name="Selected">For a sigmoid head scored with sigmoid: whether the score reaches the label's threshold;
/// omitted otherwise.</param>
internal sealed record LabelScore(string Label, float Score, [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] bool? Selected = null);
