namespace Serverless.Classifier.Model;

/// <summary>The tokenizer of a model package: a WordPiece vocabulary and Hugging Face BertTokenizer flags.</summary>
public sealed record TokenizerManifest
{
    /// <summary>The tokenizer family; only <c>wordpiece</c> is supported.</summary>
    public string Type { get; init; } = "wordpiece";

    /// <summary>Path of the vocabulary (one token per line, id = line number), relative to the package folder.</summary>
    public required string File { get; init; }

    /// <summary>Lower-case hex SHA-256 of <see cref="File"/>.</summary>
    public required string Sha256 { get; init; }

    /// <summary>Lower-case the text (uncased models).</summary>
    public bool DoLowerCase { get; init; } = true;

    /// <summary>Strip accents (NFD, then drop non-spacing marks); null follows <see cref="DoLowerCase"/>, as in Hugging Face.</summary>
    public bool? StripAccents { get; init; }

    /// <summary>Put spaces around CJK ideographs so each is its own word.</summary>
    public bool TokenizeChineseChars { get; init; } = true;

    /// <summary>Drop control characters and turn every whitespace character into a space.</summary>
    public bool CleanText { get; init; } = true;

    /// <summary>Words longer than this many code points become one unknown token.</summary>
    public int MaxInputCharsPerWord { get; init; } = 100;

    /// <summary>Maximum tokens per input, [CLS] and [SEP] included (the encoder's position limit).</summary>
    public int MaxLength { get; init; } = 512;

    /// <summary>The special tokens.</summary>
    public SpecialTokens SpecialTokens { get; init; } = new();
}
