using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace ModelExport.Quantization;

/// <summary>
/// Rewrites an fp32 encoder into an int8 one whose results do not depend on batch-mates. Every MatMul with a constant
/// weight <c>[K, N]</c> gets signed int8 weights with one scale per output column and <c>com.microsoft</c>
/// <c>MatMulIntegerToFloat</c>, on uint8 activations (zero point 128; uint8 activations run on the fast u8 x s8 kernels,
/// signed ones ran at a fraction of fp32), quantized one of two ways:
/// <list type="bullet">
/// <item><b>Fixed scale</b> (an activation calibration measured: <c>max|x| / 127</c>): one standard <c>QuantizeLinear</c>,
/// and the kernel adds the MatMul's bias itself, so its Add goes. Each value is quantized on its own: a text gives
/// bit-identical projections alone and inside any batch.</item>
/// <item><b>Per row</b> (every other activation): flattened to rows <c>[rows, K]</c>, one symmetric scale per row
/// (<c>max|x| / 127</c>); the rows are divided by their scales and quantized with scale 1; the kernel runs with activation
/// scale 1 and a <c>Mul</c> applies the row scales to its output, which is reshaped back. A row's quantization uses that
/// row alone. The MatMul's bias stays in the graph's own Add (it must be added after the row scale).</item>
/// </list>
/// Inputs shared by several MatMuls (query, key, value) are quantized once. docs/quantization.md has the measurements
/// behind the choices.
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
    /// <param name="ranges">Calibrated max |x| per MatMul input: those inputs are quantized with one fixed scale and the
    /// MatMul's bias is folded into the kernel; the others get per-row scales. Null: every input per row.</param>
    /// <returns>How many MatMuls were quantized.</returns>
    public static int Quantize(ModelProto model, int weightBits, IReadOnlyDictionary<string, float>? ranges = null)
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
        var readers = graph.Node.SelectMany(n => n.Input.Select(i => (Input: i, Node: n))).ToLookup(p => p.Input, p => p.Node, StringComparer.Ordinal);
        var folded = new HashSet<NodeProto>();
        var quantizedInputs = new Dictionary<string, QuantizedInput>();
        var nodes = new List<NodeProto>();
        var removed = new HashSet<string>();
        var count = 0;
        var qmax = (1 << (weightBits - 1)) - 1;
        foreach (var node in graph.Node)
        {
            if (folded.Contains(node))
            {
                continue;
            }

            if (!IsQuantizable(node, initializers, out var weight))
            {
                nodes.Add(node);
                continue;
            }

            var k = weight.Dims[0];
            var n = weight.Dims[1];
            var name = node.Name.Length > 0 ? node.Name : node.Output[0];
            if (!quantizedInputs.TryGetValue(node.Input[0], out var input))
            {
                input = ranges is not null && ranges.TryGetValue(node.Input[0], out var range)
                    ? QuantizeInputFixed(node.Input[0], range, nodes, graph)
                    : QuantizeInputPerRow(node.Input[0], k, nodes, graph);
                quantizedInputs.Add(node.Input[0], input);
            }

            var (values, scales) = QuantizeWeight(Floats(weight), (int)k, (int)n, qmax);
            graph.Initializer.Add(Int8Tensor($"{name}/weight_quantized", values, k, n));
            graph.Initializer.Add(FloatTensor($"{name}/weight_scale", scales, n));
            if (--consumers[weight.Name] == 0)
            {
                removed.Add(weight.Name);
            }

            var quantized = new NodeProto
            {
                Name = $"{name}/quantized",
                OpType = "MatMulIntegerToFloat",
                Domain = MicrosoftDomain,
                Input = { input.Quantized, $"{name}/weight_quantized", input.Scale, $"{name}/weight_scale", input.ZeroPoint },
            };
            nodes.Add(quantized);
            count++;
            if (input.Rows is not { } rows)
            {
                // One fixed activation scale: the kernel takes any rank, and adds its bias after scaling, so the MatMul's
                // bias Add (its only reader, with a constant [N] operand) folds in.
                quantized.Output.Add(node.Output[0]);
                if (readers[node.Output[0]].ToArray() is [{ OpType: "Add", Domain.Length: 0 } add]
                    && (add.Input[0] == node.Output[0] ? add.Input[1] : add.Input[0]) is var bias
                    && initializers.TryGetValue(bias, out var b) && b.Dims.Count == 1 && b.Dims[0] == n && b.DataType == (int)TensorProto.Types.DataType.Float)
                {
                    quantized.Input.AddRange(["", bias]);
                    quantized.Output[0] = add.Output[0];
                    folded.Add(add);
                }

                continue;
            }

            // Per-row scales. MatMulIntegerToFloat takes a per-row activation scale too, but applies it in a pass of its own
            // on one thread; a graph Mul runs on all of them (with the Div in QuantizeInputPerRow, the whole encoder measured
            // 1.07-1.13x at 32-64 texts of 32-128 tokens and 1.01x at 8 x 512, results bit-identical). The bias must be
            // added after the row scale, so it stays in its own Add.
            quantized.Output.Add($"{name}/unscaled_rows");
            nodes.Add(Node("Mul", $"{name}/scale_rows", [$"{name}/unscaled_rows", rows.Scale], $"{name}/rows"));
            graph.Initializer.Add(Int64Tensor($"{name}/width", [n], 1));
            nodes.Add(Node("Concat", $"{name}/shape", [rows.LeadingShape, $"{name}/width"], $"{name}/shape_output", Attribute("axis", 0)));
            nodes.Add(Node("Reshape", $"{name}/unflatten", [$"{name}/rows", $"{name}/shape_output"], node.Output[0]));
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
    /// <remarks>
    /// The rows are flattened to 2-D (and the product reshaped back) although every node here would take the activation's
    /// own shape: with the shape known, ONNX Runtime fuses the feed-forward's bias Add and GELU into its <c>BiasGelu</c>,
    /// which measured slower than the two apart (the whole int8 encoder 0.87-0.95x at 32 x 128 tokens).
    /// </remarks>
    private static QuantizedInput QuantizeInputPerRow(string x, long k, List<NodeProto> nodes, GraphProto graph)
    {
        var p = $"{x}/quantize";
        graph.Initializer.Add(Int64Tensor($"{p}/rows_shape", [-1, k], 2));
        graph.Initializer.Add(Int64Tensor($"{p}/zero", [0], 1));
        graph.Initializer.Add(Int64Tensor($"{p}/minus_one", [-1], 1));
        graph.Initializer.Add(FloatTensor($"{p}/levels", [127f]));
        graph.Initializer.Add(FloatTensor($"{p}/minimum_scale", [MinimumScale]));
        graph.Initializer.Add(FloatTensor($"{p}/one", [1f]));
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
        // The rows divided by their own scales, then one standard QuantizeLinear with scale 1: the values com.microsoft's
        // per-axis QuantizeLinear gives, but that kernel quantizes one short row at a time (slower, docs/quantization.md).
        nodes.Add(Node("Div", $"{p}/divide", [$"{p}/rows", $"{p}/scale_output"], $"{p}/divide_output"));
        nodes.Add(Node("QuantizeLinear", $"{p}/quantize_linear", [$"{p}/divide_output", $"{p}/one", $"{p}/zero_point"], $"{p}/quantized"));
        return new QuantizedInput($"{p}/quantized", $"{p}/one", $"{p}/zero_point", new RowScales($"{p}/scale_output", $"{p}/leading_output"));
    }

    /// <summary>Adds the node that quantizes one activation with a fixed scale (calibrated max |x| / 127).</summary>
    private static QuantizedInput QuantizeInputFixed(string x, float range, List<NodeProto> nodes, GraphProto graph)
    {
        var p = $"{x}/quantize";
        graph.Initializer.Add(FloatTensor($"{p}/scale", [Math.Max(range / 127f, MinimumScale)]));
        graph.Initializer.Add(new TensorProto { Name = $"{p}/zero_point", DataType = (int)TensorProto.Types.DataType.Uint8, RawData = ByteString.CopyFrom(128) });
        nodes.Add(Node("QuantizeLinear", $"{p}/quantize_linear", [x, $"{p}/scale", $"{p}/zero_point"], $"{p}/quantized"));
        return new QuantizedInput($"{p}/quantized", $"{p}/scale", $"{p}/zero_point", Rows: null);
    }

    /// <summary>
    /// The activations that get one calibrated scale: the inputs of the square projections (in BERT-family encoders the
    /// query, key and value projections, which share their input, and the attention output projection). The
    /// feed-forward's inputs keep per-row scales: measured on arctic-embed-xs, a fixed scale there moved scores twice as
    /// much as per-row scales (docs/quantization.md), while on the attention projections it cost little.
    /// </summary>
    public static string[] FixedScaleInputs(ModelProto model)
    {
        var initializers = model.Graph.Initializer.ToDictionary(i => i.Name);
        return [.. model.Graph.Node
            .Where(n => IsQuantizable(n, initializers, out _))
            .GroupBy(n => n.Input[0], StringComparer.Ordinal)
            .Where(readers => readers.All(n => initializers[n.Input[1]].Dims[0] == initializers[n.Input[1]].Dims[1]))
            .Select(readers => readers.Key)];
    }

    /// <summary>A MatMul with a constant 2-D fp32 weight.</summary>
    private static bool IsQuantizable(NodeProto node, Dictionary<string, TensorProto> initializers, [NotNullWhen(true)] out TensorProto? weight)
    {
        weight = node.OpType == "MatMul" && node.Domain.Length == 0 && initializers.TryGetValue(node.Input[1], out var w) && w.Dims.Count == 2
            && w.DataType == (int)TensorProto.Types.DataType.Float ? w : null;
        return weight is not null;
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

    /// <summary>A quantized activation: <paramref name="Quantized"/> with <paramref name="Scale"/> and
    /// <paramref name="ZeroPoint"/>; for per-row scales, <paramref name="Rows"/> (the quantized values are then the
    /// flattened rows and <paramref name="Scale"/> is 1), null for one fixed scale (the activation keeps its shape).</summary>
    private sealed record QuantizedInput(string Quantized, string Scale, string ZeroPoint, RowScales? Rows);

    /// <summary>Per-row scales <c>[rows, 1]</c> and the activation's leading shape, to restore after the product.</summary>
    private sealed record RowScales(string Scale, string LeadingShape);
}
