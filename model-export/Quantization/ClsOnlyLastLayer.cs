using Onnx;

namespace ModelExport.Quantization;

/// <summary>
/// Rewrites an encoder so its last layer computes position 0 ([CLS]) only: a head that pools [CLS] reads nothing else.
/// The last layer's query projection and its first residual take the layer input's position 0
/// (<c>Slice(X, 0, 1, axis 1)</c>); keys and values still use every position, so [CLS] attends exactly as before,
/// while the attention output, the feed-forward and the LayerNorms run on one position instead of all. The output
/// becomes <c>[batch, 1, hidden]</c>; the manifest says so (<c>encoder.clsOnlyLastLayer</c>) and the runtime refuses
/// every pooling but cls on it. The graph's reshapes read their sizes from their own inputs in BERT and DistilBERT exports,
/// so they follow the shorter query without change.
/// </summary>
internal static class ClsOnlyLastLayer
{
    private static readonly string[] QueryNames = ["query", "q_lin"];

    /// <summary>Rewrites <paramref name="model"/> in place.</summary>
    /// <exception cref="ModelExportException">The graph is not a BERT-style export this rewrite recognises.</exception>
    public static void Rewrite(ModelProto model)
    {
        var graph = model.Graph;
        var initializers = graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        if (initializers.Contains("cls_only/start"))
        {
            throw new ModelExportException("The encoder's last layer already computes [CLS] only.");
        }

        // The last layer's query projection: the last MatMul with a constant weight named like a query whose input
        // also feeds two other constant-weight MatMuls (key and value).
        var query = graph.Node.LastOrDefault(n => n.OpType == "MatMul" && n.Input.Count == 2 && initializers.Contains(n.Input[1])
            && QueryNames.Any(q => n.Name.Contains(q, StringComparison.Ordinal))
            && graph.Node.Count(m => m.OpType == "MatMul" && m.Input[0] == n.Input[0] && initializers.Contains(m.Input[1])) >= 3);
        if (query is null)
        {
            throw new ModelExportException(
                "Cannot find the last layer's query projection (a MatMul named like 'query' or 'q_lin' sharing its input with the key and value); " +
                "the [CLS]-only rewrite supports BERT and DistilBERT exports. Quantize without it (--full-last-layer).");
        }

        var layerInput = query.Input[0];
        var residuals = graph.Node.Where(n => n.OpType == "Add" && n.Input.Contains(layerInput)).ToArray();
        if (residuals.Length != 1)
        {
            throw new ModelExportException(
                $"The last layer's input '{layerInput}' feeds {residuals.Length} Add nodes; the [CLS]-only rewrite expects exactly one (the attention residual). Quantize without it (--full-last-layer).");
        }

        const string first = "cls_only/first_position";
        graph.Initializer.Add(EncoderQuantizer.Int64Tensor("cls_only/start", [0], 1));
        graph.Initializer.Add(EncoderQuantizer.Int64Tensor("cls_only/end", [1], 1));
        graph.Initializer.Add(EncoderQuantizer.Int64Tensor("cls_only/axis", [1], 1));
        var slice = new NodeProto { Name = "cls_only/slice", OpType = "Slice", Input = { layerInput, "cls_only/start", "cls_only/end", "cls_only/axis" }, Output = { first } };
        graph.Node.Insert(graph.Node.IndexOf(query), slice);
        query.Input[0] = first;
        var residual = residuals[0];
        residual.Input[residual.Input.IndexOf(layerInput)] = first;
        foreach (var output in graph.Output.Where(o => o.Type?.TensorType?.Shape?.Dim.Count == 3))
        {
            output.Type.TensorType.Shape.Dim[1] = new TensorShapeProto.Types.Dimension { DimValue = 1 };
        }
    }
}
