namespace Serverless.Classifier;

/// <summary>The scores of one text.</summary>
/// <param name="Scores">One score per label, in the head's label order: softmax or sigmoid probabilities, or raw logits
/// when the activation is none.</param>
/// <param name="Selected">For sigmoid heads scored with sigmoid: per label, whether the score reaches the head's
/// threshold (0.5 when the manifest sets none); null otherwise.</param>
public sealed record TextScores(IReadOnlyList<float> Scores, IReadOnlyList<bool>? Selected);
