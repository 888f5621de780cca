namespace Serverless.Classifier.Inference;

/// <summary>
/// Groups inputs into batches of similar length so padding stays small: sort by length, then fill each batch while
/// rows x longest length stays under a token budget and, past short rows, padding stays under 5% of the real tokens. On 2 cores, padding a realistic mix to the longest of arrival-order
/// batches ran 3x slower than length-sorted batches, and padding to 512 ran 7x slower (docs/benchmarks.md).
/// </summary>
internal static class BatchPlanner
{
    /// <summary>Rows up to this many tokens batch together whatever their padding: short rows gain most from batching
    /// (about 2x at 16 tokens on 2 cores), and their padding is cheap.</summary>
    public const int ShortRowTokens = 64;

    /// <summary>Longer rows join a batch only while its padding stays under this share of its real tokens: at 128 tokens
    /// and more a row runs about as fast alone, so padding is pure waste (one-text requests of mixed lengths merged
    /// without this bound ran slower at concurrency 16 than one at a time; with 5% rather than 25% they ran 5-14% faster
    /// in four of five paired runs and 1% slower in the fifth, and length-sorted job chunks ran the same,
    /// docs/benchmarks.md).</summary>
    public const double MaxPaddingShare = 0.05;

    /// <summary>Indices of the inputs, batch by batch.</summary>
    /// <param name="lengths">Token count of each input.</param>
    /// <param name="maxBatchTokens">Upper bound of rows x padded length (a single longer input still gets its own batch).</param>
    /// <param name="maxBatchSize">Upper bound of rows.</param>
    public static List<int[]> Plan(IReadOnlyList<int> lengths, int maxBatchTokens, int maxBatchSize)
    {
        var order = Enumerable.Range(0, lengths.Count).OrderBy(i => lengths[i]).ThenBy(i => i).ToArray();
        var batches = new List<int[]>();
        var start = 0;
        while (start < order.Length)
        {
            var end = start + 1;
            long realTokens = lengths[order[start]];
            // Sorted ascending, so the batch's padded length is its last row's length.
            while (end < order.Length && end - start < maxBatchSize && (end - start + 1) * lengths[order[end]] <= maxBatchTokens
                && WorthPadding(end - start + 1, lengths[order[end]], realTokens + lengths[order[end]]))
            {
                realTokens += lengths[order[end]];
                end++;
            }

            batches.Add(order[start..end]);
            start = end;
        }

        return batches;
    }

    private static bool WorthPadding(int rows, int paddedLength, long realTokens) =>
        paddedLength <= ShortRowTokens || (long)rows * paddedLength <= realTokens * (1 + MaxPaddingShare);
}
