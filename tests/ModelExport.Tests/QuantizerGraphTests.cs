using ModelExport.Quantization;
using Onnx;
using Serverless.Classifier.Model;
using Serverless.Classifier.Tokenization;

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

    [Fact]
    public void ActivationRanges_CountRealPositionsOnly_NotPadding()
    {
        // x = 1 / (id + 1) per position, [batch, positions, 1]: padding (id 0) gives 1, the real ids ([CLS] 101, [SEP] 102
        // and word pieces over 999) give under 0.01, so a max that saw padding would be 1.
        var graph = new GraphProto { Name = "ranges" };
        graph.Input.Add(Int64Input("input_ids"));
        graph.Input.Add(Int64Input("attention_mask"));
        graph.Initializer.Add(new TensorProto { Name = "one", DataType = (int)TensorProto.Types.DataType.Float, FloatData = { 1f } });
        graph.Initializer.Add(new TensorProto { Name = "axes", DataType = (int)TensorProto.Types.DataType.Int64, Dims = { 1 }, Int64Data = { 2 } });
        graph.Node.Add(new NodeProto { OpType = "Cast", Input = { "input_ids" }, Output = { "ids" }, Attribute = { new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = 1 } } });
        graph.Node.Add(new NodeProto { OpType = "Add", Input = { "ids", "one" }, Output = { "shifted" } });
        graph.Node.Add(new NodeProto { OpType = "Reciprocal", Input = { "shifted" }, Output = { "reciprocal" } });
        graph.Node.Add(new NodeProto { OpType = "Unsqueeze", Input = { "reciprocal", "axes" }, Output = { "x" } });
        graph.Output.Add(new ValueInfoProto { Name = "x", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } } });
        var model = new ModelProto { IrVersion = 8, Graph = graph, OpsetImport = { new OperatorSetIdProto { Version = 17 } } };
        WordPieceTextTokenizer tokenizer;
        using (var vocabulary = File.OpenRead(TestPaths.DefaultVocabulary))
        {
            tokenizer = WordPieceTextTokenizer.Create(vocabulary, new TokenizerManifest { File = "vocab.txt", Sha256 = new string('0', 64) }, "vocab.txt");
        }

        var encoder = new EncoderManifest { File = "encoder.onnx", Sha256 = new string('0', 64), HiddenSize = 1, TokenTypeIds = null };
        string[] texts = ["ok", "a much longer text than the first, so that the short one is padded in their batch"];

        var ranges = ActivationRanges.Measure(model, ["x"], encoder, tokenizer, texts, TestContext.Token);

        var range = Assert.Single(ranges).Value;
        Assert.InRange(range.Max, 1f / 102 - 1e-7f, 1f / 102 + 1e-7f);
        Assert.InRange(range.MedianRowMax, 1e-5f, 1f / 102);
        Assert.Empty(ActivationRanges.Measure(model, [], encoder, tokenizer, texts, TestContext.Token));
        Assert.Equal("The calibration data has no texts.", Assert.Throws<ModelExportException>(() => ActivationRanges.Measure(model, ["x"], encoder, tokenizer, [], TestContext.Token)).Message);
    }

    private static ValueInfoProto Int64Input(string name) =>
        new() { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Int64 } } };
}
