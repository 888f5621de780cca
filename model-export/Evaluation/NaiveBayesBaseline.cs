using System.Text.RegularExpressions;

namespace ModelExport.Evaluation;

/// <summary>
/// Multinomial naive Bayes on lower-cased word counts with add-one smoothing: the bag-of-words baseline a
/// transformer head has to beat.
/// </summary>
internal sealed partial class NaiveBayesBaseline
{
    private readonly IReadOnlyList<string> _labels;
    private readonly double[] _logPriors;
    private readonly Dictionary<string, double[]> _logLikelihoods;
    private readonly double[] _unseenLogLikelihoods;

    private NaiveBayesBaseline(IReadOnlyList<string> labels, double[] logPriors, Dictionary<string, double[]> logLikelihoods, double[] unseen)
    {
        _labels = labels;
        _logPriors = logPriors;
        _logLikelihoods = logLikelihoods;
        _unseenLogLikelihoods = unseen;
    }

    public static NaiveBayesBaseline Train(IReadOnlyList<string> texts, IReadOnlyList<int> labels, IReadOnlyList<string> labelNames)
    {
        var classes = labelNames.Count;
        var counts = new Dictionary<string, int[]>(StringComparer.Ordinal);
        var totals = new int[classes];
        var documents = new int[classes];
        for (var i = 0; i < texts.Count; i++)
        {
            documents[labels[i]]++;
            foreach (var word in Words(texts[i]))
            {
                if (!counts.TryGetValue(word, out var perClass))
                {
                    counts[word] = perClass = new int[classes];
                }

                perClass[labels[i]]++;
                totals[labels[i]]++;
            }
        }

        var vocabulary = counts.Count;
        var likelihoods = counts.ToDictionary(
            pair => pair.Key,
            pair => Enumerable.Range(0, classes).Select(c => Math.Log((pair.Value[c] + 1.0) / (totals[c] + vocabulary))).ToArray(),
            StringComparer.Ordinal);
        var unseen = Enumerable.Range(0, classes).Select(c => Math.Log(1.0 / (totals[c] + vocabulary))).ToArray();
        var priors = documents.Select(d => Math.Log((double)d / texts.Count)).ToArray();
        return new NaiveBayesBaseline(labelNames, priors, likelihoods, unseen);
    }

    public int Predict(string text)
    {
        var scores = (double[])_logPriors.Clone();
        foreach (var word in Words(text))
        {
            var likelihood = _logLikelihoods.GetValueOrDefault(word, _unseenLogLikelihoods);
            for (var c = 0; c < scores.Length; c++)
            {
                scores[c] += likelihood[c];
            }
        }

        return Array.IndexOf(scores, scores.Max());
    }

    public IReadOnlyList<string> Labels => _labels;

    private static IEnumerable<string> Words(string text) => WordPattern().Matches(text.ToLowerInvariant()).Select(m => m.Value);

    [GeneratedRegex(@"[\p{L}\p{N}']+")]
    private static partial Regex WordPattern();
}
