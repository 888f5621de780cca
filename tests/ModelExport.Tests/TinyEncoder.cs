using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace ModelExport.Tests;

/// <summary>
/// A stand-in encoder ONNX for import tests: last_hidden_state = embedding[input_ids] (a Gather), shaped like a real
/// encoder's output, so the packaged head can be checked end to end on known pooled vectors.
/// </summary>
internal static class TinyEncoder
{
    public static float[] Embeddings(int vocabulary, int hidden) =>
        [.. Enumerable.Range(0, vocabulary * hidden).Select(i => MathF.Sin(i * 0.37f))];

    public static void Write(string path, int vocabulary, int hidden, bool tokenTypeIds, string outputName = "last_hidden_state")
    {
        var graph = new GraphProto { Name = "tiny_encoder" };
        graph.Input.Add(Int64Matrix("input_ids"));
        graph.Input.Add(Int64Matrix("attention_mask"));
        if (tokenTypeIds)
        {
            graph.Input.Add(Int64Matrix("token_type_ids"));
        }

        var embeddings = new TensorProto { Name = "embeddings", DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(Embeddings(vocabulary, hidden).AsSpan())) };
        embeddings.Dims.AddRange([vocabulary, hidden]);
        graph.Initializer.Add(embeddings);
        graph.Node.Add(new NodeProto { Name = "gather", OpType = "Gather", Input = { "embeddings", "input_ids" }, Output = { outputName } });
        graph.Output.Add(new ValueInfoProto
        {
            Name = outputName,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor
                {
                    ElemType = (int)TensorProto.Types.DataType.Float,
                    Shape = new TensorShapeProto
                    {
                        Dim =
                        {
                            new TensorShapeProto.Types.Dimension { DimParam = "batch" },
                            new TensorShapeProto.Types.Dimension { DimParam = "sequence" },
                            new TensorShapeProto.Types.Dimension { DimValue = hidden },
                        },
                    },
                },
            },
        });
        var model = new ModelProto { IrVersion = 8, Graph = graph, OpsetImport = { new OperatorSetIdProto { Domain = string.Empty, Version = 13 } } };
        using var file = File.Create(path);
        model.WriteTo(file);
    }

    private static ValueInfoProto Int64Matrix(string name) => new()
    {
        Name = name,
        Type = new TypeProto
        {
            TensorType = new TypeProto.Types.Tensor
            {
                ElemType = (int)TensorProto.Types.DataType.Int64,
                Shape = new TensorShapeProto
                {
                    Dim = { new TensorShapeProto.Types.Dimension { DimParam = "batch" }, new TensorShapeProto.Types.Dimension { DimParam = "sequence" } },
                },
            },
        },
    };
}
