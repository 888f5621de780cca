using Serverless.Classifier.Inference;

namespace Serverless.Classifier.Tests.Inference;

public sealed class BatchPlannerTests
{
    [Fact]
    public void Plan_MixedLengths_CoversEachInputOnceInLengthOrderUnderBothBudgets()
    {
        int[] lengths = [50, 3, 7, 400, 3, 12, 12, 90, 5, 5, 5, 5];

        var batches = BatchPlanner.Plan(lengths, maxBatchTokens: 100, maxBatchSize: 3);

        Assert.Equal(Enumerable.Range(0, lengths.Length), batches.SelectMany(b => b).Order());
        var flattened = batches.SelectMany(b => b).Select(i => lengths[i]).ToArray();
        Assert.Equal(flattened.Order(), flattened);
        Assert.All(batches, b => Assert.InRange(b.Length, 1, 3));
        Assert.All(batches.Where(b => b.Length > 1), b => Assert.True(b.Length * b.Max(i => lengths[i]) <= 100));
        Assert.Contains(batches, b => b is [3]);
    }

    [Fact]
    public void Plan_EqualLengths_KeepsInputOrderWithinABatch()
    {
        var batches = BatchPlanner.Plan([4, 4, 4, 4], maxBatchTokens: 1000, maxBatchSize: 32);

        Assert.Equal([[0, 1, 2, 3]], batches);
    }

    [Theory]
    [InlineData(new[] { 100, 250, 500 }, "0|1|2")]
    [InlineData(new[] { 220, 200, 210 }, "1,2,0")]
    [InlineData(new[] { 5, 60, 40 }, "0,2,1")]
    [InlineData(new[] { 60, 70, 200 }, "0|1|2")]
    [InlineData(new[] { 100, 104, 200 }, "0,1|2")]
    [InlineData(new[] { 100, 112 }, "0|1")]
    [InlineData(new[] { 10, 64, 30 }, "0,2,1")]
    public void Plan_LongRowsBatchOnlyWhenPaddingStaysSmall(int[] lengths, string expected)
    {
        var batches = BatchPlanner.Plan(lengths, maxBatchTokens: 4096, maxBatchSize: 32);

        Assert.Equal(expected, string.Join("|", batches.Select(b => string.Join(",", b))));
    }
}
