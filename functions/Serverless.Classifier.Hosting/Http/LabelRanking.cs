namespace Serverless.Classifier.Hosting.Http;

/// <summary>The presentation of scores over HTTP: labels sorted by score, highest first, at most top_k.</summary>
internal static class LabelRanking
{
    /// <summary>Labels with their scores, highest first (ties keep label order), at most <paramref name="topK"/> (null: all).</summary>
    public static LabelScore[] Rank(IReadOnlyList<float> scores, IReadOnlyList<string> labels, int? topK)
    {
        // A stable sort, so equal scores stay in manifest order.
        return [.. Enumerable.Range(0, scores.Count)
            .OrderByDescending(i => scores[i])
            .ThenBy(i => i)
            .Take(topK ?? scores.Count)
            .Select(i => new LabelScore(labels[i], scores[i]))];
    }
}

/// <summary>One label and its score, as the HTTP API returns it.</summary>
/// <param name="Label">The label's name, as in the head's manifest.</param>
/// <param name="Score">Softmax or sigmoid probability, or the raw logit when the activation is none.</param>
internal sealed record LabelScore(string Label, float Score);
