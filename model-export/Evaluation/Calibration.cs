namespace ModelExport.Evaluation;

/// <summary>
/// Temperature scaling (Guo et al., 2017: logits divided by one fitted T before softmax or sigmoid), per-label F1-best
/// thresholds for multi-label heads, and expected calibration error. Written here because none of the .NET libraries
/// at hand (ML.NET included) fits a temperature or reports calibration error; the math is a few lines.
/// </summary>
internal static class Calibration
{
    /// <summary>Equal-width confidence bins of the calibration error, as in the paper and most tools.</summary>
    public const int Bins = 15;

    private const double MinimumTemperature = 0.05;
    private const double MaximumTemperature = 20;

    /// <summary>Mean negative log-likelihood of the true labels under softmax(logits / T).</summary>
    public static double SoftmaxNll(IReadOnlyList<float[]> logits, IReadOnlyList<int> truth, double temperature)
    {
        var total = 0.0;
        for (var i = 0; i < logits.Count; i++)
        {
            var row = logits[i];
            var max = row.Max() / temperature;
            var sum = row.Sum(z => Math.Exp(z / temperature - max));
            total += max + Math.Log(sum) - row[truth[i]] / temperature;
        }

        return total / logits.Count;
    }

    /// <summary>Mean binary cross-entropy, over examples and labels, of sigmoid(logits / T).</summary>
    public static double SigmoidNll(IReadOnlyList<float[]> logits, IReadOnlyList<bool[]> truth, double temperature)
    {
        var total = 0.0;
        var count = 0;
        for (var i = 0; i < logits.Count; i++)
        {
            for (var label = 0; label < logits[i].Length; label++)
            {
                var z = logits[i][label] / temperature;
                // -log sigmoid(z) = softplus(-z), computed without overflow.
                var softplus = Math.Max(-z, 0) + Math.Log(1 + Math.Exp(-Math.Abs(z)));
                total += truth[i][label] ? softplus : softplus + z;
                count++;
            }
        }

        return total / count;
    }

    /// <summary>The temperature in [0.05, 20] that minimizes <paramref name="nll"/>: golden-section search on log T
    /// (the likelihood is unimodal in T for a fixed set of logits).</summary>
    public static double FitTemperature(Func<double, double> nll)
    {
        var (low, high) = (Math.Log(MinimumTemperature), Math.Log(MaximumTemperature));
        var ratio = (Math.Sqrt(5) - 1) / 2;
        var a = high - ratio * (high - low);
        var b = low + ratio * (high - low);
        var (fa, fb) = (nll(Math.Exp(a)), nll(Math.Exp(b)));
        for (var step = 0; step < 80; step++)
        {
            if (fa <= fb)
            {
                (high, b, fb) = (b, a, fa);
                a = high - ratio * (high - low);
                fa = nll(Math.Exp(a));
            }
            else
            {
                (low, a, fa) = (a, b, fb);
                b = low + ratio * (high - low);
                fb = nll(Math.Exp(b));
            }
        }

        return Math.Exp((low + high) / 2);
    }

    public static float[][] Softmax(IReadOnlyList<float[]> logits, double temperature) =>
        [.. logits.Select(row =>
        {
            var max = row.Max();
            var exps = row.Select(z => Math.Exp((z - max) / temperature)).ToArray();
            var sum = exps.Sum();
            return exps.Select(e => (float)(e / sum)).ToArray();
        })];

    public static float[][] Sigmoid(IReadOnlyList<float[]> logits, double temperature) =>
        [.. logits.Select(row => row.Select(z => (float)(1 / (1 + Math.Exp(-z / temperature)))).ToArray())];

    /// <summary>Expected calibration error of the top label: |accuracy - confidence| per confidence bin, weighted by the
    /// bin's share of examples.</summary>
    public static double TopLabelEce(IReadOnlyList<float[]> probabilities, IReadOnlyList<int> truth) =>
        Ece(probabilities.Select((p, i) => (Confidence: (double)p.Max(), Correct: Array.IndexOf(p, p.Max()) == truth[i])));

    /// <summary>Expected calibration error over every (example, label) score of a multi-label head: a score is a
    /// probability that the label is present.</summary>
    public static double MarginalEce(IReadOnlyList<float[]> probabilities, IReadOnlyList<bool[]> truth) =>
        Ece(probabilities.SelectMany((p, i) => p.Select((score, label) => (Confidence: (double)score, Correct: truth[i][label]))));

    private static double Ece(IEnumerable<(double Confidence, bool Correct)> predictions)
    {
        var bins = new (int Count, double Confidence, int Correct)[Bins];
        var total = 0;
        foreach (var (confidence, correct) in predictions)
        {
            var bin = Math.Min((int)(confidence * Bins), Bins - 1);
            bins[bin] = (bins[bin].Count + 1, bins[bin].Confidence + confidence, bins[bin].Correct + (correct ? 1 : 0));
            total++;
        }

        return bins.Where(b => b.Count > 0).Sum(b => (double)b.Count / total * Math.Abs((double)b.Correct / b.Count - b.Confidence / b.Count));
    }

    /// <summary>
    /// Per label, the threshold that maximizes F1 on these scores: midway between the lowest score kept and the highest
    /// left out (of equal F1s, the higher threshold). A label that is never present keeps 0.5.
    /// </summary>
    public static double[] FitThresholds(IReadOnlyList<float[]> probabilities, IReadOnlyList<bool[]> truth)
    {
        var labels = probabilities[0].Length;
        var thresholds = new double[labels];
        for (var label = 0; label < labels; label++)
        {
            var ranked = probabilities.Select((p, i) => (Score: (double)p[label], Present: truth[i][label])).OrderByDescending(r => r.Score).ToArray();
            var positives = ranked.Count(r => r.Present);
            if (positives == 0)
            {
                thresholds[label] = 0.5;
                continue;
            }

            var (best, bestF1, truePositives) = (0, -1.0, 0);
            for (var kept = 1; kept <= ranked.Length; kept++)
            {
                truePositives += ranked[kept - 1].Present ? 1 : 0;
                var f1 = 2.0 * truePositives / (kept + positives);
                // Scores equal to the next one cannot be split from it.
                if (f1 > bestF1 && (kept == ranked.Length || ranked[kept].Score < ranked[kept - 1].Score))
                {
                    (best, bestF1) = (kept, f1);
                }
            }

            thresholds[label] = best == ranked.Length ? ranked[^1].Score : (ranked[best - 1].Score + ranked[best].Score) / 2;
        }

        return thresholds;
    }

    /// <summary>Micro-averaged F1 of a multi-label head's selections: a label is selected when its score reaches its threshold.</summary>
    public static double MicroF1(IReadOnlyList<float[]> probabilities, IReadOnlyList<bool[]> truth, IReadOnlyList<double> thresholds)
    {
        var (truePositives, selected, present) = (0, 0, 0);
        for (var i = 0; i < probabilities.Count; i++)
        {
            for (var label = 0; label < thresholds.Count; label++)
            {
                var chosen = probabilities[i][label] >= thresholds[label];
                selected += chosen ? 1 : 0;
                present += truth[i][label] ? 1 : 0;
                truePositives += chosen && truth[i][label] ? 1 : 0;
            }
        }

        return selected + present == 0 ? 1 : 2.0 * truePositives / (selected + present);
    }
}
