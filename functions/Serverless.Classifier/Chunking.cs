namespace Serverless.Classifier;

/// <summary>
/// Classify an input longer than the model's maximum length in overlapping windows instead of cutting it: each window
/// holds at most the maximum length in tokens ([CLS] and [SEP] included), is scored as a text of its own, and the
/// input's scores aggregate its windows'. An input that fits is one window, scored exactly as without chunking.
/// </summary>
public sealed record Chunking
{
    /// <summary>Tokens per window, [CLS] and [SEP] included; null for the model's maximum length. Shorter windows let one
    /// deciding sentence weigh more in its window's [CLS] vector (docs/chunking.md measures both).</summary>
    public int? Size { get; init; }

    /// <summary>Word pieces shared by consecutive windows; null for a quarter of a window's (127 for 512-token windows).
    /// At least 0 and less than a window's word pieces (size - 2).</summary>
    public int? Stride { get; init; }

    /// <summary>How the windows' scores make the input's.</summary>
    public ChunkAggregate Aggregate { get; init; } = ChunkAggregate.Mean;

    /// <summary>Return each window's character span and scores with the input's.</summary>
    public bool ReturnChunks { get; init; }
}

/// <summary>How the scores of an input's windows are combined.</summary>
public enum ChunkAggregate
{
    /// <summary>The mean of the windows' scores, label by label: what the document says overall.</summary>
    Mean,

    /// <summary>The highest window score, label by label: whether any part of the document says it.</summary>
    Max,
}

/// <summary>The scores of one window of a chunked input.</summary>
/// <param name="Start">Index (UTF-16) of the window's first character in the input, rounded out to the start of its word.</param>
/// <param name="End">Index just past the window's last character, rounded out to the end of its word.</param>
/// <param name="Scores">One score per label, as <see cref="TextScores.Scores"/>.</param>
/// <param name="Selected">As <see cref="TextScores.Selected"/>, for this window's scores.</param>
public sealed record ChunkScores(int Start, int End, IReadOnlyList<float> Scores, IReadOnlyList<bool>? Selected);
