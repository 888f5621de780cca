using Serverless.Classifier.Model;

namespace Serverless.Classifier;

/// <summary>Texts to classify with one head, and how.</summary>
public sealed record ClassificationRequest
{
    /// <summary>The texts, in the order results are returned.</summary>
    public required IReadOnlyList<string> Texts { get; init; }

    /// <summary>
    /// For text pairs (cross-encoders, natural-language inference): the second text of each input, null for inputs
    /// that are single texts; or null when no input is a pair. A pair is encoded <c>[CLS] text [SEP] second [SEP]</c>
    /// with token types 0 and 1, cut with <c>longest_first</c> when too long.
    /// </summary>
    public IReadOnlyList<string?>? SecondTexts { get; init; }

    /// <summary>The head to use; null for the manifest's default head.</summary>
    public string? Head { get; init; }

    /// <summary>The function applied to logits; null for the head's own activation.</summary>
    public Activation? FunctionToApply { get; init; }

    /// <summary>Cut inputs longer than the model's maximum length (true) or refuse them as invalid input (false).</summary>
    public bool Truncation { get; init; } = true;

    /// <summary>Split over-long inputs into windows and aggregate their scores (null: cut or refuse them, as
    /// <see cref="Truncation"/> says). Inputs may then be up to <see cref="ClassifierOptions.MaxCharsPerChunkedInput"/> long.</summary>
    public Chunking? Chunking { get; init; }

    /// <summary>Which end of an over-long input is kept when <see cref="Truncation"/> cuts it.</summary>
    public TruncationDirection TruncationDirection { get; init; } = TruncationDirection.Right;

    /// <summary>Interactive (HTTP: first, refused when the queue is full) or batch (jobs: wait, never refused).</summary>
    public InferencePriority Priority { get; init; } = InferencePriority.Interactive;
}
