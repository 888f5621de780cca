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

    internal EncodedBatch(IDisposableReadOnlyCollection<OrtValue> outputs, int[] lengths, int sequenceLength, int hiddenSize, bool clsOnly = false)
    {
        _outputs = outputs;
        _lengths = lengths;
        SequenceLength = sequenceLength;
        HiddenSize = hiddenSize;
        ClsOnly = clsOnly;
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

    /// <summary>True when the encoder's last layer computed [CLS] only (<c>encoder.clsOnlyLastLayer</c>): each row has one
    /// state, and only <see cref="Pooling.Cls"/> can be pooled.</summary>
    public bool ClsOnly { get; }

    private int StatesPerRow => ClsOnly ? 1 : SequenceLength;

    /// <summary>Row-major <c>[rows, sequence, hidden]</c> states (<c>[rows, 1, hidden]</c> when <see cref="ClsOnly"/>); valid until the batch is disposed.</summary>
    public ReadOnlySpan<float> States
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _outputs[0].GetTensorDataAsSpan<float>();
        }
    }

    /// <summary>The states of one row <c>[sequence, hidden]</c>, padding included (<c>[1, hidden]</c> when <see cref="ClsOnly"/>); valid until the batch is disposed.</summary>
    public ReadOnlySpan<float> RowStates(int row) => States.Slice(row * StatesPerRow * HiddenSize, StatesPerRow * HiddenSize);

    /// <summary>Pools every row into <paramref name="destination"/>, row-major <c>[rows, hidden]</c>.</summary>
    /// <exception cref="ClassifierException">ModelInvalid: a pooling other than cls on a [CLS]-only encoder.</exception>
    public void Pool(Pooling pooling, Span<float> destination)
    {
        if (ClsOnly && pooling != Pooling.Cls)
        {
            ClassifierThrow.ModelInvalid(
                $"This encoder's last layer computes [CLS] only (encoder.clsOnlyLastLayer), so it cannot pool {pooling.ToString().ToLowerInvariant()}; use the full fp32 encoder the package was made from.");
        }

        PoolingMath.Pool(States, _lengths, StatesPerRow, HiddenSize, pooling, destination[..(RowCount * HiddenSize)]);
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
