namespace ModelExport.Training;

/// <summary>
/// Weights of a head, PyTorch layout (<c>[out, in]</c>, row-major): the first dense layer (DistilBERT's pre_classifier,
/// BERT's pooler) and the classifier. For <see cref="HeadShape.Linear"/> only the classifier layer is set.
/// </summary>
internal sealed record TrainedHead(HeadShape Shape, int HiddenSize, int LabelCount, float[]? PreClassifierWeight, float[]? PreClassifierBias, float[] ClassifierWeight, float[] ClassifierBias)
{
    /// <summary>Logits <c>[rows, labels]</c> of pooled vectors <c>[rows, hidden]</c>, computed in .NET (used in training
    /// and to check the ONNX export).</summary>
    public float[] Logits(float[] pooled, int rows)
    {
        var logits = new float[rows * LabelCount];
        var hidden = new float[HiddenSize];
        for (var row = 0; row < rows; row++)
        {
            var input = pooled.AsSpan(row * HiddenSize, HiddenSize);
            ReadOnlySpan<float> features = input;
            if (Shape != HeadShape.Linear)
            {
                Dense(input, PreClassifierWeight!, PreClassifierBias!, hidden);
                if (Shape == HeadShape.Pooler)
                {
                    System.Numerics.Tensors.TensorPrimitives.Tanh(hidden, hidden);
                }
                else
                {
                    System.Numerics.Tensors.TensorPrimitives.Max(hidden, 0f, hidden);
                }

                features = hidden;
            }

            Dense(features, ClassifierWeight, ClassifierBias, logits.AsSpan(row * LabelCount, LabelCount));
        }

        return logits;
    }

    internal static void Dense(ReadOnlySpan<float> input, float[] weight, float[] bias, Span<float> output)
    {
        var inputs = input.Length;
        for (var o = 0; o < output.Length; o++)
        {
            output[o] = System.Numerics.Tensors.TensorPrimitives.Dot(input, weight.AsSpan(o * inputs, inputs)) + bias[o];
        }
    }
}
