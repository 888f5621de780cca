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
    public static TextProblem? Check(string? text, ClassifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (text is null)
        {
            return new TextProblem(ClassifierErrorKind.InvalidInput, "is null; every input must be a string.");
        }

        if (text.Length > options.MaxCharsPerInput)
        {
            return new TextProblem(ClassifierErrorKind.PayloadTooLarge, $"has {text.Length} characters; at most {options.MaxCharsPerInput} are allowed. Shorten it.");
        }

        return null;
    }
}

/// <summary>Why a text cannot be classified.</summary>
/// <param name="Kind">InvalidInput or PayloadTooLarge.</param>
/// <param name="Reason">Reads after the input's name, such as "has 25000 characters; at most 20000 are allowed. Shorten it."</param>
public readonly record struct TextProblem(ClassifierErrorKind Kind, string Reason);
