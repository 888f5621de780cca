using System.Numerics.Tensors;
using Serverless.Classifier.Model;

namespace Serverless.Classifier.Inference;

/// <summary>Logits to scores.</summary>
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

    /// <summary>Combines the score rows of one input's windows, label by label: their mean or their maximum.</summary>
    public static float[] Aggregate(ReadOnlySpan<float[]> rows, ChunkAggregate aggregate)
    {
        var result = rows[0].ToArray();
        for (var r = 1; r < rows.Length; r++)
        {
            if (aggregate == ChunkAggregate.Max)
            {
                TensorPrimitives.Max(result, rows[r], result);
            }
            else
            {
                TensorPrimitives.Add(result, rows[r], result);
            }
        }

        if (aggregate == ChunkAggregate.Mean && rows.Length > 1)
        {
            TensorPrimitives.Divide(result, rows.Length, result);
        }

        return result;
    }
}
