namespace Serverless.Classifier.Inference;

/// <summary>
/// Groups inputs into batches of similar length so padding stays small: sort by length, then fill each batch while
/// rows x longest length stays under a token budget. On 2 cores, padding a realistic mix to the longest of arrival-order
/// batches ran 3x slower than length-sorted batches, and padding to 512 ran 7x slower (docs/benchmarks.md).
/// </summary>
internal static class BatchPlanner
{
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
            // Sorted ascending, so the batch's padded length is its last row's length.
            while (end < order.Length && end - start < maxBatchSize && (end - start + 1) * lengths[order[end]] <= maxBatchTokens)
            {
                end++;
            }

            batches.Add(order[start..end]);
            start = end;
        }

        return batches;
    }
}
