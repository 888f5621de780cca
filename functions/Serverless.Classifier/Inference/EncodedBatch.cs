using Microsoft.ML.OnnxRuntime;
using Serverless.Classifier.Model;

namespace Serverless.Classifier.Inference;

/// <summary>
/// One encoder run over a batch of inputs: the token states <c>[rows, sequence, hidden]</c> (right-padded, so token 0
/// of every row is [CLS]), each row's real length, and which inputs the rows are. The states live in ONNX Runtime's
/// output buffer: read them before disposing the batch, and dispose it once done (not thread-safe).
/// </summary>
public sealed class EncodedBatch : IDisposable
{
    private readonly IDisposableReadOnlyCollection<OrtValue> _outputs;
    private readonly int[] _lengths;
    private bool _disposed;

    internal EncodedBatch(IDisposableReadOnlyCollection<OrtValue> outputs, int[] lengths, int sequenceLength, int hiddenSize)
    {
        _outputs = outputs;
        _lengths = lengths;
        SequenceLength = sequenceLength;
        HiddenSize = hiddenSize;
    }

    /// <summary>For each row, the index of its input in the list given to <see cref="FeatureExtractor.Encode"/>.</summary>
    public IReadOnlyList<int> InputIndices { get; internal set; } = [];

    /// <summary>Rows in the batch.</summary>
    public int RowCount => _lengths.Length;

    /// <summary>Each row's real length in tokens, [CLS] and [SEP] included.</summary>
    public IReadOnlyList<int> Lengths => _lengths;

    /// <summary>The padded length in tokens (the longest row).</summary>
    public int SequenceLength { get; }

    /// <summary>The width of a token state.</summary>
    public int HiddenSize { get; }

    /// <summary>Row-major <c>[rows, sequence, hidden]</c> states; valid until the batch is disposed.</summary>
    public ReadOnlySpan<float> States
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _outputs[0].GetTensorDataAsSpan<float>();
        }
    }

    /// <summary>The states of one row <c>[sequence, hidden]</c>, padding included; valid until the batch is disposed.</summary>
    public ReadOnlySpan<float> RowStates(int row) => States.Slice(row * SequenceLength * HiddenSize, SequenceLength * HiddenSize);

    /// <summary>Pools every row into <paramref name="destination"/>, row-major <c>[rows, hidden]</c>.</summary>
    public void Pool(Pooling pooling, Span<float> destination)
    {
        PoolingMath.Pool(States, _lengths, SequenceLength, HiddenSize, pooling, destination[..(RowCount * HiddenSize)]);
    }

    /// <summary>Releases ONNX Runtime's output buffer.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _outputs.Dispose();
        }
    }
}
