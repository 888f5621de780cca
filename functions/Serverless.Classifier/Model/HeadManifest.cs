namespace Serverless.Classifier.Model;

/// <summary>A classification head of a model package: an ONNX graph from a pooled vector <c>[batch, hidden]</c>
/// to logits <c>[batch, labels]</c>, with the pooling it was trained with.</summary>
public sealed record HeadManifest
{
    /// <summary>The head's name, used in requests (<c>parameters.head</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Path of the ONNX file, relative to the package folder (<c>heads/&lt;name&gt;.onnx</c>).</summary>
    public required string File { get; init; }

    /// <summary>Lower-case hex SHA-256 of <see cref="File"/>.</summary>
    public required string Sha256 { get; init; }

    /// <summary>Label names in logit order.</summary>
    public required IReadOnlyList<string> Labels { get; init; }

    /// <summary>How the encoder output is pooled for this head.</summary>
    public Pooling Pooling { get; init; } = Pooling.Cls;

    /// <summary>The function applied to logits unless a request asks for another.</summary>
    public Activation Activation { get; init; } = Activation.Softmax;

    /// <summary>For sigmoid heads: the score from which a label counts as present (every label; see <see cref="Thresholds"/>).</summary>
    public double? Threshold { get; init; }

    /// <summary>For sigmoid heads: one threshold per label, in label order (written by <c>model-export calibrate</c>, which
    /// picks each label's F1-best); it overrides <see cref="Threshold"/>.</summary>
    public IReadOnlyList<double>? Thresholds { get; init; }

    /// <summary>Logits are divided by it before softmax or sigmoid (temperature scaling, fitted by <c>model-export
    /// calibrate</c> so that scores are calibrated probabilities); null for 1. Raw logits (activation none) are not scaled.</summary>
    public double? Temperature { get; init; }

    /// <summary>The threshold of label <paramref name="label"/>: its own, else the head's, else 0.5.</summary>
    public double ThresholdOf(int label) => Thresholds?[label] ?? Threshold ?? 0.5;

    /// <summary>Name of the pooled-vector input.</summary>
    public string Input { get; init; } = "pooled";

    /// <summary>Name of the logits output.</summary>
    public string Output { get; init; } = "logits";
}
