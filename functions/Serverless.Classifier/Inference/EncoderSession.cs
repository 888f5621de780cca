using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Serverless.Classifier.Model;
using Serverless.Classifier.Tokenization;

namespace Serverless.Classifier.Inference;

/// <summary>
/// The encoder's ONNX session: token ids in, token states out (<see cref="EncodedBatch"/>). Feeds only the inputs the session declares
/// (DistilBERT has no token_type_ids). Tensor buffers are per call, so concurrent calls never share them; ONNX Runtime's
/// <c>Run</c> is thread-safe.
/// </summary>
internal sealed class EncoderSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly EncoderManifest _manifest;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly bool _hasTokenTypeIds;

    public EncoderSession(InferenceSession session, EncoderManifest manifest, string fileName)
    {
        _session = session;
        _manifest = manifest;
        _hasTokenTypeIds = manifest.TokenTypeIds is not null;
        _inputNames = _hasTokenTypeIds ? [manifest.InputIds, manifest.AttentionMask, manifest.TokenTypeIds!] : [manifest.InputIds, manifest.AttentionMask];
        _outputNames = [manifest.Output];
        Validate(session, manifest, fileName);
    }

    public int HiddenSize => _manifest.HiddenSize;

    /// <summary>Runs one batch; the caller disposes the result.</summary>
    /// <param name="rows">Token ids per row, [CLS] first; a pair's second segment complemented (<see cref="TokenRows"/>).</param>
    /// <param name="padId">The padding token id.</param>
    /// <param name="cancellationToken">Stops a run in progress.</param>
    public EncodedBatch Run(IReadOnlyList<int[]> rows, int padId, CancellationToken cancellationToken)
    {
        var batch = rows.Count;
        var sequenceLength = rows.Max(r => r.Length);
        var ids = new long[batch * sequenceLength];
        var mask = new long[batch * sequenceLength];
        var types = _hasTokenTypeIds ? new long[batch * sequenceLength] : null;
        var lengths = new int[batch];
        Array.Fill(ids, padId);
        for (var row = 0; row < batch; row++)
        {
            var tokens = rows[row];
            lengths[row] = tokens.Length;
            for (var i = 0; i < tokens.Length; i++)
            {
                // A text pair's second segment travels complemented (TokenRows); everything else is type 0.
                var (id, type) = TokenRows.Read(tokens[i]);
                ids[row * sequenceLength + i] = id;
                if (types is not null)
                {
                    types[row * sequenceLength + i] = type;
                }

                mask[row * sequenceLength + i] = 1;
            }
        }

        long[] shape = [batch, sequenceLength];
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using var typesValue = types is null ? null : OrtValue.CreateTensorValueFromMemory(types, shape);
        OrtValue[] inputs = _hasTokenTypeIds ? [idsValue, maskValue, typesValue!] : [idsValue, maskValue];

        var outputs = OnnxRun.Run(_session, _inputNames, inputs, _outputNames, "encoder", cancellationToken);
        var stateCount = outputs[0].GetTensorDataAsSpan<float>().Length;
        var positions = _manifest.ClsOnlyLastLayer ? 1 : sequenceLength;
        var expected = (long)batch * positions * HiddenSize;
        if (stateCount != expected)
        {
            outputs.Dispose();
            ClassifierThrow.ModelInvalid(
                $"The encoder's '{_manifest.Output}' has {stateCount} values for a [{batch}, {sequenceLength}] batch; expected [{batch}, {positions}, {HiddenSize}] = {expected}. " +
                (stateCount == (long)batch * (_manifest.ClsOnlyLastLayer ? sequenceLength : 1) * HiddenSize
                    ? "The manifest's encoder.clsOnlyLastLayer does not match the model: re-export the package."
                    : "The manifest's encoder.hiddenSize does not match the model: re-export the package."));
        }

        return new EncodedBatch(outputs, lengths, sequenceLength, HiddenSize, _manifest.ClsOnlyLastLayer);
    }

    public void Dispose() => _session.Dispose();

    private static void Validate(InferenceSession session, EncoderManifest manifest, string fileName)
    {
        var inputs = session.InputMetadata;
        var declared = new[] { ("inputIds", manifest.InputIds), ("attentionMask", manifest.AttentionMask), ("tokenTypeIds", manifest.TokenTypeIds) };
        foreach (var (field, name) in declared)
        {
            if (name is not null && !inputs.ContainsKey(name))
            {
                ClassifierThrow.ModelInvalid(
                    $"The manifest declares encoder.{field} '{name}' but '{fileName}' has inputs [{string.Join(", ", inputs.Keys)}]. " +
                    (field == "tokenTypeIds" ? "Set encoder.tokenTypeIds to null for encoders without token types (DistilBERT), or re-export." : "Correct the manifest or re-export the encoder."));
            }
        }

        foreach (var (name, metadata) in inputs)
        {
            if (!declared.Any(d => d.Item2 == name))
            {
                ClassifierThrow.ModelInvalid(
                    $"'{fileName}' has an input '{name}' the manifest does not declare (encoder.inputIds '{manifest.InputIds}', attentionMask '{manifest.AttentionMask}', tokenTypeIds '{manifest.TokenTypeIds}'); the runtime cannot feed it. Correct the manifest or re-export the encoder.");
            }

            if (metadata.ElementDataType != TensorElementType.Int64)
            {
                ClassifierThrow.ModelInvalid($"'{fileName}' input '{name}' is {metadata.ElementDataType}; expected Int64 token ids. Re-export the encoder with int64 inputs.");
            }
        }

        if (!session.OutputMetadata.TryGetValue(manifest.Output, out var output))
        {
            ClassifierThrow.ModelInvalid(
                $"The manifest declares encoder.output '{manifest.Output}' but '{fileName}' has outputs [{string.Join(", ", session.OutputMetadata.Keys)}]. Correct the manifest or re-export the encoder.");
        }

        var width = output.Dimensions.Length == 3 ? output.Dimensions[2] : -2;
        if (output.ElementDataType != TensorElementType.Float || width == -2 || (width > 0 && width != manifest.HiddenSize))
        {
            ClassifierThrow.ModelInvalid(
                $"The manifest declares encoder.hiddenSize {manifest.HiddenSize} but '{fileName}' output '{manifest.Output}' is {output.ElementDataType} [{string.Join(", ", output.Dimensions)}]; " +
                $"expected Float [batch, sequence, {manifest.HiddenSize}]. Re-export, or set Classifier__ModelName/ModelVersion to the right package.");
        }
    }
}
