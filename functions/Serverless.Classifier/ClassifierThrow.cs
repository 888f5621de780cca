using System.Diagnostics.CodeAnalysis;

namespace Serverless.Classifier;

/// <summary>Throw helpers: keep throw sites small so hot paths stay inlinable, and messages in one place.</summary>
internal static class ClassifierThrow
{
    [DoesNotReturn]
    public static void InvalidInput(string field, string message, InvalidInputRule rule = InvalidInputRule.Other) =>
        throw new ClassifierException(ClassifierErrorKind.InvalidInput, message) { Field = field, Rule = rule };

    [DoesNotReturn]
    public static void PayloadTooLarge(string field, string message) =>
        throw new ClassifierException(ClassifierErrorKind.PayloadTooLarge, message) { Field = field };

    [DoesNotReturn]
    public static void ModelInvalid(string message, Exception? innerException = null) =>
        throw new ClassifierException(ClassifierErrorKind.ModelInvalid, message, innerException);

    [DoesNotReturn]
    public static void ModelUnavailable(string message, Exception? innerException = null) =>
        throw new ClassifierException(ClassifierErrorKind.ModelUnavailable, message, innerException);

    [DoesNotReturn]
    public static void Overloaded(string message) =>
        throw new ClassifierException(ClassifierErrorKind.Overloaded, message);

    [DoesNotReturn]
    public static void InferenceFailed(string message, Exception innerException) =>
        throw new ClassifierException(ClassifierErrorKind.InferenceFailed, message, innerException);
}
