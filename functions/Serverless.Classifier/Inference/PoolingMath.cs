using System.Numerics.Tensors;
using Serverless.Classifier.Model;

namespace Serverless.Classifier.Inference;

/// <summary>Reduces encoder states <c>[batch, sequence, hidden]</c> (right-padded) to one vector per row.</summary>
internal static class PoolingMath
{
    /// <summary>Pools every row of a batch.</summary>
    /// <param name="states">Row-major <c>[batch, sequence, hidden]</c>.</param>
    /// <param name="lengths">Real (unpadded) length of each row, [CLS] and [SEP] included; at least 1.</param>
    /// <param name="sequenceLength">The padded length.</param>
    /// <param name="hiddenSize">The state width.</param>
    /// <param name="pooling">The reduction.</param>
    /// <param name="destination">Row-major <c>[batch, hidden]</c>.</param>
    public static void Pool(ReadOnlySpan<float> states, ReadOnlySpan<int> lengths, int sequenceLength, int hiddenSize, Pooling pooling, Span<float> destination)
    {
        for (var row = 0; row < lengths.Length; row++)
        {
            var rowStates = states.Slice(row * sequenceLength * hiddenSize, sequenceLength * hiddenSize);
            var target = destination.Slice(row * hiddenSize, hiddenSize);
            var length = lengths[row];
            switch (pooling)
            {
                case Pooling.Cls:
                    rowStates[..hiddenSize].CopyTo(target);
                    break;
                case Pooling.Last:
                    rowStates.Slice((length - 1) * hiddenSize, hiddenSize).CopyTo(target);
                    break;
                case Pooling.Mean:
                    rowStates[..hiddenSize].CopyTo(target);
                    for (var token = 1; token < length; token++)
                    {
                        TensorPrimitives.Add(target, rowStates.Slice(token * hiddenSize, hiddenSize), target);
                    }

                    TensorPrimitives.Divide(target, length, target);
                    break;
                case Pooling.Max:
                    rowStates[..hiddenSize].CopyTo(target);
                    for (var token = 1; token < length; token++)
                    {
                        TensorPrimitives.Max(target, rowStates.Slice(token * hiddenSize, hiddenSize), target);
                    }

                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(pooling), pooling, "Unknown pooling.");
            }
        }
    }
}
