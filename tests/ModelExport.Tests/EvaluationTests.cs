using ModelExport.Evaluation;

namespace ModelExport.Tests;

public sealed class EvaluationTests
{
    [Fact]
    public void ClassificationReport_KnownConfusion_GivesExactScores()
    {
        string[] labels = ["neg", "pos"];
        int[] truth = [0, 0, 0, 1, 1];
        int[] predicted = [0, 0, 1, 1, 0];

        var report = ClassificationReport.Create(labels, truth, predicted);

        Assert.Equal(0.6, report.Accuracy);
        Assert.Equal([[2, 1], [1, 1]], report.Confusion);
        Assert.Equal(new LabelReport(0.6667, 0.6667, 0.6667, 3), report.PerLabel["neg"]);
        Assert.Equal(new LabelReport(0.5, 0.5, 0.5, 2), report.PerLabel["pos"]);
        Assert.Equal(0.5833, report.MacroF1);
    }

    [Fact]
    public void NaiveBayes_WordCounts_PredictsByTheWordsSeen()
    {
        string[] texts = ["good great fine", "great fun", "bad awful", "awful boring bad"];
        var model = NaiveBayesBaseline.Train(texts, [1, 1, 0, 0], ["negative", "positive"]);

        Assert.Equal(1, model.Predict("Great, good fun!"));
        Assert.Equal(0, model.Predict("boring and AWFUL"));
    }
}
