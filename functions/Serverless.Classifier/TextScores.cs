namespace Serverless.Classifier;

/// <summary>The scores of one text.</summary>
/// <param name="Scores">One score per label, in the head's label order: softmax or sigmoid probabilities, or raw logits
/// when the activation is none.</param>
/// <param name="Selected">For sigmoid heads scored with sigmoid: per label, whether the score reaches that label's
/// threshold (the manifest's per-label thresholds, else its threshold, else 0.5); null otherwise.</param>
/// <param name="Chunks">With <see cref="Chunking.ReturnChunks"/>, the scores of each window the input was split into, in
/// text order; null otherwise.</param>
public sealed record TextScores(IReadOnlyList<float> Scores, IReadOnlyList<bool>? Selected, IReadOnlyList<ChunkScores>? Chunks = null);
