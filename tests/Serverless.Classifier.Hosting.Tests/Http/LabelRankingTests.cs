using Serverless.Classifier.Hosting.Http;

namespace Serverless.Classifier.Hosting.Tests.Http;

public sealed class LabelRankingTests
{
    private static readonly string[] Labels = ["a", "b", "c"];

    [Fact]
    public void Rank_TopK_SortsHighestFirstAndBreaksTiesByLabelOrder()
    {
        var ranked = LabelRanking.Rank([0.2f, 0.4f, 0.4f], null, Labels, topK: 2);

        Assert.Equal([new LabelScore("b", 0.4f), new LabelScore("c", 0.4f)], ranked);
    }

    [Fact]
    public void Rank_NoTopK_ReturnsEveryLabel()
    {
        var ranked = LabelRanking.Rank([0.5f, 0.1f, 0.9f], null, Labels, topK: null);

        Assert.Equal(["c", "a", "b"], ranked.Select(r => r.Label));
    }

    [Fact]
    public void Rank_SigmoidThresholds_MarkEachLabelSelectedOrNot()
    {
        var ranked = LabelRanking.Rank([0.5f, 0.1f, 0.9f], [false, true, true], Labels, topK: null);

        Assert.Equal([new LabelScore("c", 0.9f, true), new LabelScore("a", 0.5f, false), new LabelScore("b", 0.1f, true)], ranked);
    }

    [Fact]
    public void Entry_ReturnChunks_IsAnObjectWithLabelsAndEachWindowsSpanAndLabels()
    {
        var text = new TextScores([0.3f, 0.2f, 0.5f], null, [new ChunkScores(0, 10, [0.5f, 0.4f, 0.1f], null), new ChunkScores(8, 20, [0.1f, 0f, 0.9f], null)]);

        var json = System.Text.Json.JsonSerializer.Serialize(LabelRanking.Entry(text, Labels, topK: 1), ApiJson.Options);

        Assert.Equal(
            """{"labels":[{"label":"c","score":0.5}],"chunks":[{"start":0,"end":10,"labels":[{"label":"a","score":0.5}]},{"start":8,"end":20,"labels":[{"label":"c","score":0.9}]}]}""",
            json);
    }
}
