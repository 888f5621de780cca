using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace ModelExport.Quantization;

/// <summary>
/// Rewrites an fp32 encoder into an int8 one whose results do not depend on batch-mates. Every MatMul with a constant
/// weight <c>[K, N]</c> becomes: its input flattened to rows <c>[rows, K]</c>; one symmetric scale per row
/// (<c>max|x| / 127</c>); <c>com.microsoft</c> <c>QuantizeLinear</c> to uint8 with zero point 128 (uint8 activations run
/// on the fast u8 x s8 kernels; signed activations ran at a fraction of fp32); <c>com.microsoft</c>
/// <c>MatMulIntegerToFloat</c> with signed per-output-column weights and the per-row scales; the result reshaped back.
/// A row's quantization uses that row alone, so a text gives the same vector alone and inside any batch. Inputs shared by
/// several MatMuls (query, key, value) are quantized once. Biases stay in the graph's own Add: the kernel multiplies its
/// bias input by the per-row scale too, which would be wrong here.
/// <para>
/// ONNX Runtime's own quantizer (Python) is not available to a .NET tool, and its dynamic mode quantizes activations
/// with one scale per tensor (a text's vector then moves with its batch-mates), hence this rewrite.
/// </para>
/// </summary>
internal static class EncoderQuantizer
{
    public const string MicrosoftDomain = "com.microsoft";
    private const float MinimumScale = 1e-12f;

    /// <summary>Quantizes every constant-weight MatMul of <paramref name="model"/> in place.</summary>
    /// <param name="model">An fp32 encoder.</param>
    /// <param name="weightBits">8, or 7 (weights in [-63, 63]: safer on CPUs without VNNI, where 8-bit products can saturate).</param>
    /// <returns>How many MatMuls were quantized.</returns>
    public static int Quantize(ModelProto model, int weightBits)
    {
        if (weightBits is not (7 or 8))
        {
            throw new ArgumentOutOfRangeException(nameof(weightBits), weightBits, "Weights are quantized to 8 or 7 bits.");
        }

        var graph = model.Graph;
        if (graph.Node.Any(n => n.Domain == MicrosoftDomain && n.OpType is "MatMulIntegerToFloat" or "DynamicQuantizeMatMul" or "QAttention"))
        {
            throw new ModelExportException("The encoder is already quantized; quantize the fp32 encoder it came from.");
        }

        var initializers = graph.Initializer.ToDictionary(i => i.Name);
        var consumers = graph.Node.SelectMany(n => n.Input).GroupBy(i => i).ToDictionary(g => g.Key, g => g.Count());
        var quantizedInputs = new Dictionary<string, QuantizedInput>();
        var nodes = new List<NodeProto>();
        var removed = new HashSet<string>();
        var count = 0;
        var qmax = (1 << (weightBits - 1)) - 1;
        foreach (var node in graph.Node)
        {
            if (node.OpType != "MatMul" || node.Domain.Length != 0 || !initializers.TryGetValue(node.Input[1], out var weight) || weight.Dims.Count != 2
                || weight.DataType != (int)TensorProto.Types.DataType.Float)
            {
                nodes.Add(node);
                continue;
            }

            var k = weight.Dims[0];
            var n = weight.Dims[1];
            var name = node.Name.Length > 0 ? node.Name : node.Output[0];
            if (!quantizedInputs.TryGetValue(node.Input[0], out var input))
            {
                input = QuantizeInput(node.Input[0], k, nodes, graph);
                quantizedInputs.Add(node.Input[0], input);
            }

            var (values, scales) = QuantizeWeight(Floats(weight), (int)k, (int)n, qmax);
            graph.Initializer.Add(Int8Tensor($"{name}/weight_quantized", values, k, n));
            graph.Initializer.Add(FloatTensor($"{name}/weight_scale", scales, n));
            if (--consumers[weight.Name] == 0)
            {
                removed.Add(weight.Name);
            }

            nodes.Add(new NodeProto
            {
                Name = $"{name}/quantized",
                OpType = "MatMulIntegerToFloat",
                Domain = MicrosoftDomain,
                Input = { input.Quantized, $"{name}/weight_quantized", input.Scale, $"{name}/weight_scale", input.ZeroPoint },
                Output = { $"{name}/rows" },
            });
            graph.Initializer.Add(Int64Tensor($"{name}/width", [n], 1));
            nodes.Add(Node("Concat", $"{name}/shape", [input.LeadingShape, $"{name}/width"], $"{name}/shape_output", Attribute("axis", 0)));
            nodes.Add(Node("Reshape", $"{name}/unflatten", [$"{name}/rows", $"{name}/shape_output"], node.Output[0]));
            count++;
        }

        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        foreach (var name in removed)
        {
            graph.Initializer.Remove(initializers[name]);
        }

        if (!model.OpsetImport.Any(o => o.Domain == MicrosoftDomain))
        {
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = MicrosoftDomain, Version = 1 });
        }

        return count;
    }

    /// <summary>Adds the nodes that flatten, scale and quantize one activation, row by row.</summary>
    private static QuantizedInput QuantizeInput(string x, long k, List<NodeProto> nodes, GraphProto graph)
    {
        var p = $"{x}/quantize";
        graph.Initializer.Add(Int64Tensor($"{p}/rows_shape", [-1, k], 2));
        graph.Initializer.Add(Int64Tensor($"{p}/zero", [0], 1));
        graph.Initializer.Add(Int64Tensor($"{p}/minus_one", [-1], 1));
        graph.Initializer.Add(FloatTensor($"{p}/levels", [127f]));
        graph.Initializer.Add(FloatTensor($"{p}/minimum_scale", [MinimumScale]));
        graph.Initializer.Add(new TensorProto { Name = $"{p}/zero_point", DataType = (int)TensorProto.Types.DataType.Uint8, RawData = ByteString.CopyFrom(128) });

        nodes.Add(Node("Shape", $"{p}/shape", [x], $"{p}/shape_output"));
        nodes.Add(Node("Slice", $"{p}/leading", [$"{p}/shape_output", $"{p}/zero", $"{p}/minus_one"], $"{p}/leading_output"));
        nodes.Add(Node("Reshape", $"{p}/flatten", [x, $"{p}/rows_shape"], $"{p}/rows"));
        // max|x| per row as max(max x, -min x): two reads of the rows, where Abs then ReduceMax also writes a copy (measured
        // about 10 of 16 ms of these reductions at b32 x 128).
        nodes.Add(Node("ReduceMax", $"{p}/max", [$"{p}/rows"], $"{p}/max_output", Attribute("axes", [1]), Attribute("keepdims", 1)));
        nodes.Add(Node("ReduceMin", $"{p}/min", [$"{p}/rows"], $"{p}/min_output", Attribute("axes", [1]), Attribute("keepdims", 1)));
        nodes.Add(Node("Neg", $"{p}/negated_min", [$"{p}/min_output"], $"{p}/negated_min_output"));
        nodes.Add(Node("Max", $"{p}/magnitude", [$"{p}/max_output", $"{p}/negated_min_output"], $"{p}/magnitude_output"));
        nodes.Add(Node("Div", $"{p}/scale_raw", [$"{p}/magnitude_output", $"{p}/levels"], $"{p}/scale_raw_output"));
        // An all-zero row would give scale 0 and divide by zero; any positive scale quantizes it to exact zeros.
        nodes.Add(Node("Max", $"{p}/scale", [$"{p}/scale_raw_output", $"{p}/minimum_scale"], $"{p}/scale_output"));
        nodes.Add(Node("Squeeze", $"{p}/scale_per_row", [$"{p}/scale_output"], $"{p}/scale_per_row_output", Attribute("axes", [1])));
        // Per-axis QuantizeLinear takes one zero point per row: the constant 128, repeated.
        nodes.Add(Node("Shape", $"{p}/row_count", [$"{p}/scale_per_row_output"], $"{p}/row_count_output"));
        nodes.Add(Node("Expand", $"{p}/zero_points", [$"{p}/zero_point", $"{p}/row_count_output"], $"{p}/zero_points_output"));
        nodes.Add(new NodeProto
        {
            Name = $"{p}/quantize_linear",
            OpType = "QuantizeLinear",
            Domain = MicrosoftDomain,
            Input = { $"{p}/rows", $"{p}/scale_per_row_output", $"{p}/zero_points_output" },
            Output = { $"{p}/quantized" },
            Attribute = { Attribute("axis", 0) },
        });
        return new QuantizedInput($"{p}/quantized", $"{p}/scale_output", $"{p}/zero_point", $"{p}/leading_output");
    }

    /// <summary>Signed symmetric per-column quantization of a row-major <c>[K, N]</c> weight.</summary>
    internal static (sbyte[] Values, float[] Scales) QuantizeWeight(float[] weight, int k, int n, int qmax)
    {
        var scales = new float[n];
        for (var row = 0; row < k; row++)
        {
            for (var column = 0; column < n; column++)
            {
                scales[column] = Math.Max(scales[column], Math.Abs(weight[row * n + column]));
            }
        }

        for (var column = 0; column < n; column++)
        {
            scales[column] = scales[column] > 0 ? scales[column] / qmax : 1f;
        }

        var values = new sbyte[weight.Length];
        for (var row = 0; row < k; row++)
        {
            for (var column = 0; column < n; column++)
            {
                var q = MathF.Round(weight[row * n + column] / scales[column], MidpointRounding.ToEven);
                values[row * n + column] = (sbyte)Math.Clamp(q, -qmax, qmax);
            }
        }

        return (values, scales);
    }

    private static float[] Floats(TensorProto tensor)
    {
        if (!tensor.RawData.IsEmpty)
        {
            return MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray();
        }

        return [.. tensor.FloatData];
    }

    private static NodeProto Node(string opType, string name, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { Name = name, OpType = opType, Output = { output } };
        node.Input.AddRange(inputs);
        node.Attribute.AddRange(attributes);
        return node;
    }

    private static AttributeProto Attribute(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Attribute(string name, long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private static TensorProto FloatTensor(string name, float[] values, params long[] dims) => Tensor(name, TensorProto.Types.DataType.Float, values, dims);

    private static TensorProto Int8Tensor(string name, sbyte[] values, params long[] dims) => Tensor(name, TensorProto.Types.DataType.Int8, values, dims);

    internal static TensorProto Int64Tensor(string name, long[] values, params long[] dims) => Tensor(name, TensorProto.Types.DataType.Int64, values, dims);

    /// <summary>An initializer with raw little-endian data.</summary>
    private static TensorProto Tensor<T>(string name, TensorProto.Types.DataType type, T[] values, long[] dims)
        where T : unmanaged
    {
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    private sealed record QuantizedInput(string Quantized, string Scale, string ZeroPoint, string LeadingShape);
}
