using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using Serverless.Classifier.Model;
using Serverless.Classifier.Tokenization;

namespace ModelExport.Quantization;

/// <summary>
/// Measures the largest magnitude each named activation of an fp32 encoder reaches over calibration texts, at real
/// (unpadded) positions only. The quantizer turns these into fixed activation scales.
/// </summary>
internal static class ActivationRanges
{
    private const int BatchRows = 16;

    /// <summary>Runs <paramref name="model"/> (left unchanged) over <paramref name="texts"/> and returns max |x| per tensor.</summary>
    /// <param name="model">The fp32 encoder graph, as it will be quantized.</param>
    /// <param name="tensors">Names of float tensors of shape <c>[batch, positions, width]</c> in the graph.</param>
    /// <param name="encoder">The manifest's encoder section (input names).</param>
    /// <param name="tokenizer">Tokenizes the texts as the service does.</param>
    /// <param name="texts">Calibration texts.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    public static Dictionary<string, ActivationRange> Measure(
        ModelProto model, IReadOnlyCollection<string> tensors, EncoderManifest encoder, WordPieceTextTokenizer tokenizer, IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        if (texts.Count == 0)
        {
            throw new ModelExportException("The calibration data has no texts.");
        }

        if (tensors.Count == 0)
        {
            return [];
        }

        var probe = model.Clone();
        probe.Graph.Output.Clear();
        foreach (var name in tensors)
        {
            probe.Graph.Output.Add(new ValueInfoProto
            {
                Name = name,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
            });
        }

        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC };
        using var session = new InferenceSession(probe.ToByteArray(), options);
        var rowMaxima = tensors.ToDictionary(t => t, _ => new List<float>(), StringComparer.Ordinal);
        var encoded = texts.Select(t => tokenizer.Encode(t).Ids).OrderBy(ids => ids.Length).ToArray();
        string[] inputs = encoder.TokenTypeIds is { } types && session.InputNames.Contains(types)
            ? [encoder.InputIds, encoder.AttentionMask, types]
            : [encoder.InputIds, encoder.AttentionMask];
        foreach (var batch in encoded.Chunk(BatchRows))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var length = batch.Max(ids => ids.Length);
            var ids = new long[batch.Length * length];
            var mask = new long[batch.Length * length];
            for (var row = 0; row < batch.Length; row++)
            {
                for (var position = 0; position < batch[row].Length; position++)
                {
                    ids[row * length + position] = batch[row][position];
                    mask[row * length + position] = 1;
                }
            }

            long[] shape = [batch.Length, length];
            using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
            using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
            using var typesValue = OrtValue.CreateTensorValueFromMemory(new long[ids.Length], shape);
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, inputs, new[] { idsValue, maskValue, typesValue }[..inputs.Length], [.. tensors]);
            var index = 0;
            foreach (var name in tensors)
            {
                var output = outputs[index++];
                var dims = output.GetTensorTypeAndShape().Shape;
                var data = output.GetTensorDataAsSpan<float>();
                var width = (int)dims[^1];
                var positions = dims.Length == 3 ? (int)dims[1] : 1;
                var maxima = rowMaxima[name];
                for (var row = 0; row < data.Length / width; row++)
                {
                    // Rows of [batch, positions, width] follow the mask; a tensor cut to fewer positions (the [CLS]-only
                    // layer's first position) holds real positions only.
                    if (positions == length && mask[row] == 0)
                    {
                        continue;
                    }

                    maxima.Add(Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(data.Slice(row * width, width))));
                }
            }
        }

        return rowMaxima.ToDictionary(p => p.Key, p => ActivationRange.Of(p.Value), StringComparer.Ordinal);
    }
}

/// <summary>
/// What calibration saw of one activation: the largest magnitude of any row (its fixed scale is <c>Max / 127</c>), and
/// the median of the rows' largest (a typical row uses about <c>MedianRowMax / Max</c> of the 127 levels).
/// </summary>
internal sealed record ActivationRange(float Max, float MedianRowMax)
{
    public static ActivationRange Of(List<float> rowMaxima)
    {
        rowMaxima.Sort();
        return new ActivationRange(rowMaxima[^1], rowMaxima[rowMaxima.Count / 2]);
    }
}
