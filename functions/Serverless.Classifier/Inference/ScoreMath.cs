using System.Numerics.Tensors;
using Serverless.Classifier.Model;

namespace Serverless.Classifier.Inference;

/// <summary>Logits to sorted label scores.</summary>
internal static class ScoreMath
{
    /// <summary>Applies the activation to one row of logits, in place.</summary>
    public static void Activate(Span<float> logits, Activation activation)
    {
        switch (activation)
        {
            case Activation.Softmax:
                TensorPrimitives.SoftMax(logits, logits);
                break;
            case Activation.Sigmoid:
                TensorPrimitives.Sigmoid(logits, logits);
                break;
            case Activation.None:
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }

    /// <summary>Labels with their scores, highest first (ties keep label order), at most <paramref name="topK"/>.</summary>
    public static LabelScore[] Rank(ReadOnlySpan<float> scores, IReadOnlyList<string> labels, int topK)
    {
        var ranked = new LabelScore[scores.Length];
        for (var i = 0; i < scores.Length; i++)
        {
            ranked[i] = new LabelScore(labels[i], scores[i]);
        }

        // A stable sort, so equal scores stay in manifest order.
        var order = Enumerable.Range(0, ranked.Length).OrderByDescending(i => ranked[i].Score).ThenBy(i => i).Take(topK);
        return [.. order.Select(i => ranked[i])];
    }
}
