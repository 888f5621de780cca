using System.Globalization;
using System.Text;

namespace Serverless.Classifier;

/// <summary>
/// The per-text rules every input must pass, wherever it comes from: the HTTP API checks them per item (through
/// <see cref="ITextClassifier"/>) and batch jobs per line (an error line instead of a failed job).
/// </summary>
public static class TextLimits
{
    /// <summary>Checks one text; null when it passes.</summary>
    /// <param name="text">The text as received.</param>
    /// <param name="options">The limits (<see cref="ClassifierOptions.MaxCharsPerInput"/>).</param>
    /// <returns>The error kind (InvalidInput or PayloadTooLarge) and a reason that reads after the input's name
    /// ("inputs[2] has 25000 characters; ..."); it never quotes the text.</returns>
    public static TextProblem? Check(string? text, ClassifierOptions options) => Check(text, options, chunking: false);

    /// <summary>Checks one text; null when it passes. With <paramref name="chunking"/>, the character limit is
    /// <see cref="ClassifierOptions.MaxCharsPerChunkedInput"/>.</summary>
    public static TextProblem? Check(string? text, ClassifierOptions options, bool chunking)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (text is null)
        {
            return new TextProblem(ClassifierErrorKind.InvalidInput, "is null; every input must be a string.");
        }

        var limit = chunking ? options.MaxCharsPerChunkedInput : options.MaxCharsPerInput;
        if (text.Length > limit)
        {
            return new TextProblem(
                ClassifierErrorKind.PayloadTooLarge,
                chunking
                    ? $"has {text.Length} characters; at most {limit} are allowed with chunking. Split the document."
                    : $"has {text.Length} characters; at most {limit} are allowed. Shorten it, or turn chunking on to classify a long document in windows.");
        }

        if (IndexOfLoneSurrogate(text) is var index and >= 0)
        {
            // Rejected, never replaced with U+FFFD: a replacement would classify text the client did not send.
            return new TextProblem(
                ClassifierErrorKind.InvalidInput,
                $"is not valid Unicode: character {index} is a lone surrogate (U+{(int)text[index]:X4}); send text as UTF-8, with \\uD800-\\uDFFF escapes only in high-low pairs.");
        }

        if (IsBlank(text))
        {
            return text.Length == 0
                ? new TextProblem(ClassifierErrorKind.InvalidInput, "is empty; send text to classify.", InvalidInputRule.Empty)
                : new TextProblem(ClassifierErrorKind.InvalidInput, "has no text to classify, only whitespace, control or format characters.");
        }

        return null;
    }

    /// <summary>
    /// True when nothing would reach the model: every character is whitespace, or one that BERT's normalization drops
    /// (control, format, unassigned, U+FFFD). Such a text would be scored as [CLS] [SEP] alone, a confident label for
    /// no input.
    /// </summary>
    private static bool IsBlank(string text)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            if (!Rune.IsWhiteSpace(rune) && rune.Value != 0xFFFD
                && Rune.GetUnicodeCategory(rune) is not (UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The index of the first UTF-16 surrogate that is not part of a high-low pair, or -1.</summary>
    public static int IndexOfLoneSurrogate(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (!char.IsSurrogate(c))
            {
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            return i;
        }

        return -1;
    }
}

/// <summary>Why a text cannot be classified.</summary>
/// <param name="Kind">InvalidInput or PayloadTooLarge.</param>
/// <param name="Reason">Reads after the input's name, such as "has 25000 characters; at most 20000 are allowed. Shorten it."</param>
/// <param name="Rule">For InvalidInput, the rule broken where adapters tell rules apart.</param>
public readonly record struct TextProblem(ClassifierErrorKind Kind, string Reason, InvalidInputRule Rule = InvalidInputRule.Other)
{
    /// <summary>The exception for the input named <paramref name="field"/> (its name starts the message).</summary>
    public ClassifierException ToException(string field) => new(Kind, $"{field} {Reason}") { Field = field, Rule = Rule };
}
