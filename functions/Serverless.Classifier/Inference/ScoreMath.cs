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
}
