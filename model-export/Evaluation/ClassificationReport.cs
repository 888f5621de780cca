namespace ModelExport.Evaluation;

/// <summary>Accuracy, macro-F1, per-label precision/recall/F1 and the confusion matrix (rows: true label, columns: predicted).</summary>
internal sealed record ClassificationReport(
    int Count,
    double Accuracy,
    double MacroF1,
    IReadOnlyDictionary<string, LabelReport> PerLabel,
    IReadOnlyList<string> Labels,
    int[][] Confusion)
{
    public static ClassificationReport Create(IReadOnlyList<string> labels, IReadOnlyList<int> truth, IReadOnlyList<int> predicted)
    {
        var confusion = labels.Select(_ => new int[labels.Count]).ToArray();
        for (var i = 0; i < truth.Count; i++)
        {
            confusion[truth[i]][predicted[i]]++;
        }

        var perLabel = new Dictionary<string, LabelReport>(StringComparer.Ordinal);
        var f1Sum = 0.0;
        for (var l = 0; l < labels.Count; l++)
        {
            var truePositives = confusion[l][l];
            var predictedCount = confusion.Sum(row => row[l]);
            var support = confusion[l].Sum();
            var precision = predictedCount == 0 ? 0 : (double)truePositives / predictedCount;
            var recall = support == 0 ? 0 : (double)truePositives / support;
            var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            perLabel[labels[l]] = new LabelReport(Round(precision), Round(recall), Round(f1), support);
            f1Sum += f1;
        }

        var correct = Enumerable.Range(0, labels.Count).Sum(l => confusion[l][l]);
        return new ClassificationReport(
            truth.Count,
            Round((double)correct / truth.Count),
            Round(f1Sum / labels.Count),
            perLabel,
            labels,
            confusion);
    }

    private static double Round(double value) => Math.Round(value, 4);
}
