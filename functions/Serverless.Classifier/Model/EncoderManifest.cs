namespace Serverless.Classifier.Model;

/// <summary>The encoder ONNX graph of a model package: int64 <c>[batch, sequence]</c> inputs, float
/// <c>[batch, sequence, hidden]</c> output.</summary>
public sealed record EncoderManifest
{
    /// <summary>Path of the ONNX file, relative to the package folder.</summary>
    public required string File { get; init; }

    /// <summary>Lower-case hex SHA-256 of <see cref="File"/>.</summary>
    public required string Sha256 { get; init; }

    /// <summary>
    /// Path (relative to the package folder) of the file holding the graph's weights when they are stored outside the
    /// ONNX file (ONNX external data), or null when the ONNX file holds them. ONNX Runtime maps such a file into memory
    /// instead of copying every weight out of the protobuf: session creation of the int8 default encoder went from about
    /// 550 to 240 ms. The graph names this file itself; the manifest lists it so that it is hashed, published and
    /// downloaded with the package.
    /// </summary>
    public string? DataFile { get; init; }

    /// <summary>Lower-case hex SHA-256 of <see cref="DataFile"/>; set exactly when it is.</summary>
    public string? DataSha256 { get; init; }

    /// <summary>Width of the output's last dimension (384 for MiniLM-sized encoders, 768 for BERT-base).</summary>
    public required int HiddenSize { get; init; }

    /// <summary>Name of the token-id input.</summary>
    public string InputIds { get; init; } = "input_ids";

    /// <summary>Name of the attention-mask input.</summary>
    public string AttentionMask { get; init; } = "attention_mask";

    /// <summary>Name of the token-type input, or null for encoders without one (DistilBERT).</summary>
    public string? TokenTypeIds { get; init; } = "token_type_ids";

    /// <summary>Name of the token-states output.</summary>
    public string Output { get; init; } = "last_hidden_state";

    /// <summary>The encoder's weights: fp32 as exported, or int8 as written by <c>model-export quantize</c>.</summary>
    public EncoderPrecision Precision { get; init; } = EncoderPrecision.Fp32;

    /// <summary>True when the encoder's last layer computes position 0 ([CLS]) only: its output is
    /// <c>[batch, 1, hidden]</c>, and only heads that pool <c>cls</c> can use it (written by <c>model-export quantize</c>).</summary>
    public bool ClsOnlyLastLayer { get; init; }

    /// <summary>For a derived encoder (int8), the SHA-256 of the fp32 encoder it was made from; null otherwise.</summary>
    public string? SourceSha256 { get; init; }
}

/// <summary>How an encoder's weights are stored and computed.</summary>
public enum EncoderPrecision
{
    /// <summary>32-bit floats, as exported.</summary>
    Fp32,

    /// <summary>Signed 8-bit weights per output column, activations quantized per token at run time.</summary>
#pragma warning disable CA1720 // "int8" is the precision's name in manifests and in every quantization tool.
    Int8,
#pragma warning restore CA1720
}
