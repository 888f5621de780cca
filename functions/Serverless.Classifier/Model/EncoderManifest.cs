namespace Serverless.Classifier.Model;

/// <summary>The encoder ONNX graph of a model package: int64 <c>[batch, sequence]</c> inputs, float
/// <c>[batch, sequence, hidden]</c> output.</summary>
public sealed record EncoderManifest
{
    /// <summary>Path of the ONNX file, relative to the package folder.</summary>
    public required string File { get; init; }

    /// <summary>Lower-case hex SHA-256 of <see cref="File"/>.</summary>
    public required string Sha256 { get; init; }

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
}
