using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Serverless.Classifier.Model;

namespace Serverless.Classifier.Inference;

/// <summary>A head's ONNX session: pooled vectors <c>[batch, hidden]</c> to logits <c>[batch, labels]</c>.</summary>
internal sealed class HeadSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly int _hiddenSize;

    public HeadSession(InferenceSession session, HeadManifest manifest, int hiddenSize, string fileName)
    {
        _session = session;
        Manifest = manifest;
        _hiddenSize = hiddenSize;
        _inputNames = [manifest.Input];
        _outputNames = [manifest.Output];
        Validate(session, manifest, hiddenSize, fileName);
    }

    public HeadManifest Manifest { get; }

    public int LabelCount => Manifest.Labels.Count;

    /// <summary>Row-major logits <c>[rows, labels]</c> for row-major pooled vectors <c>[rows, hidden]</c>.</summary>
    public float[] Logits(float[] pooled, int rows, CancellationToken cancellationToken)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(pooled, [rows, _hiddenSize]);
        using var outputs = OnnxRun.Run(_session, _inputNames, [input], _outputNames, $"head '{Manifest.Name}'", cancellationToken);
        var logits = outputs[0].GetTensorDataAsSpan<float>();
        if (logits.Length != rows * LabelCount)
        {
            ClassifierThrow.ModelInvalid(
                $"Head '{Manifest.Name}' returned {logits.Length} logits for {rows} rows; expected {rows} x {LabelCount} labels. Re-export the head or correct its labels.");
        }

        return logits.ToArray();
    }

    public void Dispose() => _session.Dispose();

    private static void Validate(InferenceSession session, HeadManifest manifest, int hiddenSize, string fileName)
    {
        if (!session.InputMetadata.TryGetValue(manifest.Input, out var input) || session.InputMetadata.Count != 1)
        {
            ClassifierThrow.ModelInvalid(
                $"The manifest declares head '{manifest.Name}' input '{manifest.Input}' but '{fileName}' has inputs [{string.Join(", ", session.InputMetadata.Keys)}]; expected exactly that one.");
        }

        if (input.ElementDataType != TensorElementType.Float || input.Dimensions.Length != 2 || (input.Dimensions[1] > 0 && input.Dimensions[1] != hiddenSize))
        {
            ClassifierThrow.ModelInvalid(
                $"'{fileName}' input '{manifest.Input}' is {input.ElementDataType} [{string.Join(", ", input.Dimensions)}]; expected Float [batch, {hiddenSize}] to match encoder.hiddenSize. " +
                "Train the head on this encoder, or serve it with the encoder it was trained on.");
        }

        if (!session.OutputMetadata.TryGetValue(manifest.Output, out var output))
        {
            ClassifierThrow.ModelInvalid(
                $"The manifest declares head '{manifest.Name}' output '{manifest.Output}' but '{fileName}' has outputs [{string.Join(", ", session.OutputMetadata.Keys)}].");
        }

        if (output.Dimensions.Length != 2 || (output.Dimensions[1] > 0 && output.Dimensions[1] != manifest.Labels.Count))
        {
            ClassifierThrow.ModelInvalid(
                $"The manifest gives head '{manifest.Name}' {manifest.Labels.Count} labels but '{fileName}' output '{manifest.Output}' is [{string.Join(", ", output.Dimensions)}]; " +
                "expected one logit per label. Correct the labels or re-export the head.");
        }
    }
}
