using Serverless.Classifier.Model;

namespace Serverless.Classifier;

/// <summary>
/// The scores of each text of a <see cref="ClassificationRequest"/>, in the head's label order, and what produced them.
/// Ranking and top-k are left to the caller (a presentation step).
/// </summary>
public sealed record ClassificationResult
{
    /// <summary>The head's labels, in logit order: the order of every <see cref="TextScores.Scores"/>.</summary>
    public required IReadOnlyList<string> Labels { get; init; }

    /// <summary>Per text, in request order.</summary>
    public required IReadOnlyList<TextScores> Texts { get; init; }

    /// <summary>The function that turned logits into the scores.</summary>
    public required Activation Activation { get; init; }

    /// <summary>The model's name.</summary>
    public required string ModelName { get; init; }

    /// <summary>The version of the model package that scored every text.</summary>
    public required string ModelVersion { get; init; }

    /// <summary>The head that scored the texts.</summary>
    public required string Head { get; init; }

    /// <summary>Milliseconds spent tokenizing.</summary>
    public double TokenizeMs { get; init; }

    /// <summary>Milliseconds spent waiting for the encoder (the inference queue).</summary>
    public double QueueMs { get; init; }

    /// <summary>Milliseconds spent in the encoder, pooling and heads.</summary>
    public double InferenceMs { get; init; }
}
