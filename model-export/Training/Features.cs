using Serverless.Classifier.Inference;
using Serverless.Classifier.Model;

namespace ModelExport.Training;

/// <summary>Pooled encoder features of many texts: each text is encoded once and every requested pooling is derived
/// from the same hidden states.</summary>
internal static class Features
{
    private const int ChunkSize = 256;

    /// <returns>Per pooling, row-major <c>[texts, hidden]</c>.</returns>
    public static Dictionary<Pooling, float[]> Compute(
        TextEncoder encoder, IReadOnlyList<string> texts, IReadOnlyCollection<Pooling> poolings, int maxTokens, Action<string>? progress, CancellationToken cancellationToken)
    {
        var hidden = encoder.HiddenSize;
        var result = poolings.ToDictionary(p => p, _ => new float[texts.Count * hidden]);
        var maxLength = Math.Min(maxTokens, encoder.Tokenizer.MaxLength);
        for (var start = 0; start < texts.Count; start += ChunkSize)
        {
            var count = Math.Min(ChunkSize, texts.Count - start);
            var ids = new int[count][];
            for (var i = 0; i < count; i++)
            {
                ids[i] = encoder.Tokenizer.Encode(texts[start + i], maxLength).Ids;
            }

            foreach (var (pooling, vectors) in encoder.Pool(ids, poolings, maxBatchTokens: 4096, maxBatchSize: 32, cancellationToken))
            {
                vectors.CopyTo(result[pooling].AsSpan(start * hidden));
            }

            progress?.Invoke($"encoded {start + count}/{texts.Count} texts");
        }

        return result;
    }
}
