using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace ModelExport.Training;

/// <summary>
/// Writes a head as an ONNX graph with OnnxSharp's generated protobuf classes:
/// <c>pooled [batch, hidden]</c> -> Gemm (pre_classifier) -> Relu (or pooler -> Tanh) -> Gemm (classifier) -> <c>logits [batch, labels]</c>.
/// Dropout is the identity at inference and is left out.
/// </summary>
internal static class HeadOnnx
{
    public const string InputName = "pooled";
    public const string OutputName = "logits";
    private const long OnnxIrVersion = 8;
    private const long OpsetVersion = 13;

    public static void Write(TrainedHead head, Stream destination)
    {
        var graph = new GraphProto { Name = $"{head.Shape.ToString().ToLowerInvariant()}_head" };
        graph.Input.Add(FloatMatrix(InputName, head.HiddenSize));
        graph.Output.Add(FloatMatrix(OutputName, head.LabelCount));

        var classifierInput = InputName;
        if (head.Shape != HeadShape.Linear)
        {
            // DistilBERT: pre_classifier -> ReLU; BERT: pooler dense -> Tanh.
            var (layer, activation) = head.Shape == HeadShape.Pooler ? ("pooler", "Tanh") : ("pre_classifier", "Relu");
            graph.Initializer.Add(Tensor($"{layer}.weight", head.PreClassifierWeight!, head.HiddenSize, head.HiddenSize));
            graph.Initializer.Add(Tensor($"{layer}.bias", head.PreClassifierBias!, head.HiddenSize));
            graph.Node.Add(Gemm(layer, InputName, $"{layer}.weight", $"{layer}.bias", $"{layer}.output"));
            graph.Node.Add(new NodeProto { Name = activation.ToLowerInvariant(), OpType = activation, Input = { $"{layer}.output" }, Output = { "activation.output" } });
            classifierInput = "activation.output";
        }

        graph.Initializer.Add(Tensor("classifier.weight", head.ClassifierWeight, head.LabelCount, head.HiddenSize));
        graph.Initializer.Add(Tensor("classifier.bias", head.ClassifierBias, head.LabelCount));
        graph.Node.Add(Gemm("classifier", classifierInput, "classifier.weight", "classifier.bias", OutputName));

        var model = new ModelProto
        {
            IrVersion = OnnxIrVersion,
            ProducerName = "model-export",
            Graph = graph,
            OpsetImport = { new OperatorSetIdProto { Domain = string.Empty, Version = OpsetVersion } },
        };
        model.WriteTo(destination);
    }

    private static NodeProto Gemm(string name, string input, string weight, string bias, string output) => new()
    {
        Name = name,
        OpType = "Gemm",
        Input = { input, weight, bias },
        Output = { output },
        // Weights are stored [out, in] as in PyTorch, so B is transposed: Y = X W^T + b.
        Attribute = { new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 } },
    };

    private static TensorProto Tensor(string name, float[] values, params long[] dims)
    {
        var tensor = new TensorProto
        {
            Name = name,
            DataType = (int)TensorProto.Types.DataType.Float,
            RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())),
        };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    private static ValueInfoProto FloatMatrix(string name, long width) => new()
    {
        Name = name,
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
                        new TensorShapeProto.Types.Dimension { DimValue = width },
                    },
                },
            },
        },
    };
}
