using ModelExport.Quantization;
using Onnx;

namespace ModelExport.Tests;

/// <summary>The graph rewrites on graphs they do not fit: a clear refusal, never a half-rewritten graph.</summary>
public sealed class QuantizerGraphTests
{
    [Fact]
    public void Rewrites_OnAGraphWithoutProjections_RefuseOrFindNothing()
    {
        var path = Path.Combine(Path.GetTempPath(), $"tiny-{Guid.NewGuid():N}.onnx");
        TinyEncoder.Write(path, vocabulary: 8, hidden: 4, tokenTypeIds: false);
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        File.Delete(path);
        var nodes = model.Graph.Node.Count;

        var exception = Assert.Throws<ModelExportException>(() => ClsOnlyLastLayer.Rewrite(model));

        Assert.StartsWith("Cannot find the last layer's query projection (a MatMul named like 'query' or 'q_lin' sharing its input with the key and value)", exception.Message, StringComparison.Ordinal);
        Assert.Equal(0, EncoderQuantizer.Quantize(model, weightBits: 8));
        Assert.Equal(nodes, model.Graph.Node.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => EncoderQuantizer.Quantize(model, weightBits: 6));
    }

    [Fact]
    public void QuantizeWeight_IsSymmetricPerColumnAndRoundsHalfToEven()
    {
        // [K=2, N=3]: column maxima 4, 1 and 0 (an all-zero column keeps scale 1).
        float[] weight = [4f, -0.5f, 0f, -2f, 1f, 0f];

        var (values, scales) = EncoderQuantizer.QuantizeWeight(weight, k: 2, n: 3, qmax: 127);

        Assert.Equal([4f / 127, 1f / 127, 1f], scales);
        Assert.Equal([127, -64, 0, -64, 127, 0], values.Select(v => (int)v));
    }
}
