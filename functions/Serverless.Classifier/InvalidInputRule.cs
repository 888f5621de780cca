namespace Serverless.Classifier;

/// <summary>
/// For <see cref="ClassifierErrorKind.InvalidInput"/>: the rule an input broke, where an adapter's protocol answers rules
/// differently (Text Embeddings Inference: 400 "Empty" for empty input, 413 for an input over the model's maximum
/// length). Adapters decide on this, never on the message's wording.
/// </summary>
public enum InvalidInputRule
{
    /// <summary>Any other rule (malformed, unknown head, lone surrogate, blank...).</summary>
    Other,

    /// <summary>No inputs, or an input of zero characters.</summary>
    Empty,

    /// <summary>An input longer than the model's maximum length, with truncation off.</summary>
    TooLong,
}
