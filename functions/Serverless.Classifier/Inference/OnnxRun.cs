using Microsoft.ML.OnnxRuntime;

namespace Serverless.Classifier.Inference;

/// <summary>Runs a session with cancellation (RunOptions.Terminate) and the classifier's error contract.</summary>
internal static class OnnxRun
{
    public static IDisposableReadOnlyCollection<OrtValue> Run(
        InferenceSession session, string[] inputNames, OrtValue[] inputs, string[] outputNames, string role, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var runOptions = new RunOptions();
        using var registration = cancellationToken.Register(() => runOptions.Terminate = true);
        try
        {
            return session.Run(runOptions, inputNames, inputs, outputNames);
        }
        catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (OnnxRuntimeException exception)
        {
            throw new ClassifierException(ClassifierErrorKind.InferenceFailed, $"ONNX Runtime failed running the {role}: {exception.Message}", exception);
        }
    }
}
