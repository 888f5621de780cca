namespace Serverless.Classifier.Model;

/// <summary>The special tokens of a WordPiece vocabulary; each must be a line of the vocabulary.</summary>
public sealed record SpecialTokens
{
    /// <summary>Prepended to every input; its state is what <see cref="Pooling.Cls"/> pools.</summary>
    public string Cls { get; init; } = "[CLS]";

    /// <summary>Appended to every input.</summary>
    public string Sep { get; init; } = "[SEP]";

    /// <summary>Fills batch rows past their length (attention mask 0).</summary>
    public string Pad { get; init; } = "[PAD]";

    /// <summary>Stands for words the vocabulary cannot spell.</summary>
    public string Unk { get; init; } = "[UNK]";

    /// <summary>The mask token; recognised in input text like the others.</summary>
    public string Mask { get; init; } = "[MASK]";
}
