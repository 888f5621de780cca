namespace Serverless.Classifier;

/// <summary>The labels of each text of a <see cref="ClassificationRequest"/>, and what produced them.</summary>
public sealed record ClassificationResult
{
    /// <summary>Per text, in request order: labels sorted by score, highest first, at most <c>TopK</c>.</summary>
    public required IReadOnlyList<IReadOnlyList<LabelScore>> Predictions { get; init; }

    /// <summary>The model's name.</summary>
    public required string ModelName { get; init; }

    /// <summary>The model package's version.</summary>
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
