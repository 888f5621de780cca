using Serverless.Classifier.Inference;
using Serverless.Classifier.Model;

namespace ModelExport.Training;

/// <summary>Encoder features of many texts: each text is encoded once, and every requested pooling (and, for the pooling
/// study only, the first N token states concatenated) is derived from the same hidden states.</summary>
internal static class Features
{
    private const int ChunkSize = 256;
    private const int MaxBatchTokens = 4096;
    private const int MaxBatchSize = 32;

    /// <summary>The name of the study-only flatten variant over the first <paramref name="tokens"/> states.</summary>
    public static string FlattenName(int tokens) => $"flatten{tokens}";

    /// <returns>Per pooling, row-major <c>[texts, hidden]</c>.</returns>
    public static Dictionary<Pooling, float[]> Compute(
        FeatureExtractor encoder, IReadOnlyList<string> texts, IReadOnlyCollection<Pooling> poolings, int maxTokens, Action<string>? progress, CancellationToken cancellationToken) =>
        ComputeNamed(encoder, texts, poolings, flattenTokens: 0, maxTokens, progress, cancellationToken)
            .ToDictionary(pair => Enum.Parse<Pooling>(pair.Key, ignoreCase: true), pair => pair.Value.Values);

    /// <returns>By name (<c>cls</c>, <c>mean</c>, <c>max</c>, <c>last</c>, <c>flattenN</c>): row-major features and their width.</returns>
    public static Dictionary<string, FeatureMatrix> ComputeNamed(
        FeatureExtractor encoder, IReadOnlyList<string> texts, IReadOnlyCollection<Pooling> poolings, int flattenTokens, int maxTokens, Action<string>? progress, CancellationToken cancellationToken)
    {
        var hidden = encoder.HiddenSize;
        var result = poolings.ToDictionary(p => p.ToString().ToLowerInvariant(), _ => new FeatureMatrix(new float[texts.Count * hidden], hidden));
        if (flattenTokens > 0)
        {
            result[FlattenName(flattenTokens)] = new FeatureMatrix(new float[texts.Count * hidden * flattenTokens], hidden * flattenTokens);
        }

        var maxLength = Math.Min(maxTokens, encoder.Tokenizer.MaxLength);
        for (var start = 0; start < texts.Count; start += ChunkSize)
        {
            var count = Math.Min(ChunkSize, texts.Count - start);
            var ids = new int[count][];
            for (var i = 0; i < count; i++)
            {
                ids[i] = encoder.Tokenizer.Encode(texts[start + i], maxLength).Ids;
            }

            var pooled = new float[Math.Min(ids.Length, MaxBatchSize) * hidden];
            foreach (var batch in encoder.Encode(ids, MaxBatchTokens, MaxBatchSize, cancellationToken))
            {
                using (batch)
                {
                    foreach (var pooling in poolings)
                    {
                        var name = pooling.ToString().ToLowerInvariant();
                        batch.Pool(pooling, pooled);
                        for (var row = 0; row < batch.RowCount; row++)
                        {
                            pooled.AsSpan(row * hidden, hidden).CopyTo(result[name].Values.AsSpan((start + batch.InputIndices[row]) * hidden, hidden));
                        }
                    }

                    if (flattenTokens > 0)
                    {
                        // The first N real token states side by side; shorter texts leave zeros.
                        for (var row = 0; row < batch.RowCount; row++)
                        {
                            var target = result[FlattenName(flattenTokens)].Values.AsSpan((start + batch.InputIndices[row]) * hidden * flattenTokens, hidden * flattenTokens);
                            var available = Math.Min(flattenTokens, batch.Lengths[row]);
                            batch.RowStates(row)[..(available * hidden)].CopyTo(target);
                        }
                    }
                }
            }

            progress?.Invoke($"encoded {start + count}/{texts.Count} texts");
        }

        return result;
    }
}
