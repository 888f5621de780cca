using Serverless.Classifier.Hosting.Http;

namespace Serverless.Classifier.Hosting.Tests.Http;

public sealed class LabelRankingTests
{
    private static readonly string[] Labels = ["a", "b", "c"];

    [Fact]
    public void Rank_TopK_SortsHighestFirstAndBreaksTiesByLabelOrder()
    {
        var ranked = LabelRanking.Rank([0.2f, 0.4f, 0.4f], Labels, topK: 2);

        Assert.Equal([new LabelScore("b", 0.4f), new LabelScore("c", 0.4f)], ranked);
    }

    [Fact]
    public void Rank_NoTopK_ReturnsEveryLabel()
    {
        var ranked = LabelRanking.Rank([0.5f, 0.1f, 0.9f], Labels, topK: null);

        Assert.Equal(["c", "a", "b"], ranked.Select(r => r.Label));
    }
}
