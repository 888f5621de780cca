namespace Serverless.Classifier;

/// <summary>
/// The one exception the classifier throws for anything but caller bugs. <see cref="Kind"/> tells adapters how to
/// answer; <see cref="Exception.Message"/> says what failed, the value found, the value expected and how to fix it.
/// Messages never contain input text.
/// </summary>
public sealed class ClassifierException : Exception
{
    /// <summary>Creates an exception of the given kind.</summary>
    public ClassifierException(ClassifierErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    /// <summary>Creates an <see cref="ClassifierErrorKind.InferenceFailed"/> exception.</summary>
    public ClassifierException()
        : this(ClassifierErrorKind.InferenceFailed, "Classification failed.")
    {
    }

    /// <summary>Creates an <see cref="ClassifierErrorKind.InferenceFailed"/> exception with a message.</summary>
    public ClassifierException(string message)
        : this(ClassifierErrorKind.InferenceFailed, message)
    {
    }

    /// <summary>Creates an <see cref="ClassifierErrorKind.InferenceFailed"/> exception with a message and cause.</summary>
    public ClassifierException(string message, Exception innerException)
        : this(ClassifierErrorKind.InferenceFailed, message, innerException)
    {
    }

    /// <summary>What went wrong, for mapping to a protocol status.</summary>
    public ClassifierErrorKind Kind { get; }

    /// <summary>For <see cref="ClassifierErrorKind.InvalidInput"/> and <see cref="ClassifierErrorKind.PayloadTooLarge"/>:
    /// the request field at fault (<c>inputs[3]</c>, <c>parameters.head</c>), when there is one.</summary>
    public string? Field { get; init; }

    /// <summary>For <see cref="ClassifierErrorKind.InvalidInput"/>: which rule the input broke, when an adapter needs to tell.</summary>
    public InvalidInputRule Rule { get; init; }
}
