using System.Diagnostics.CodeAnalysis;

namespace Serverless.Classifier.Hosting;

/// <summary>Throw helpers of the hosting layer: the engine's one exception type, with the field at fault.</summary>
internal static class HostingThrow
{
    [DoesNotReturn]
    public static void PayloadTooLarge(string field, string message) =>
        throw new ClassifierException(ClassifierErrorKind.PayloadTooLarge, message) { Field = field };

    [DoesNotReturn]
    public static void ModelUnavailable(string message) =>
        throw new ClassifierException(ClassifierErrorKind.ModelUnavailable, message);
}
