using Microsoft.Extensions.Logging;

namespace Serverless.Classifier.Diagnostics;

/// <summary>The classifier's log events. EventIds: 1xxx model load, 2xxx inference (3xxx HTTP and 4xxx jobs are the hosting layer's). Never logs input text or scores.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Loading model package from {Source}")]
    public static partial void ModelLoading(ILogger logger, string source);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information,
        Message = "Loaded model {ModelName} {ModelVersion} ({HeadCount} heads, hidden size {HiddenSize}, {Precision}) on {ExecutionProvider} in {ElapsedMs} ms: " +
            "hashes {HashMs} ms, sessions {SessionMs} ms, first run {WarmUpMs} ms")]
    public static partial void ModelLoaded(
        ILogger logger, string modelName, string modelVersion, int headCount, int hiddenSize, string precision, string executionProvider, long elapsedMs, long hashMs, long sessionMs, long warmUpMs);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Model package from {Source} could not be loaded ({ErrorKind})")]
    public static partial void ModelLoadFailed(ILogger logger, string source, ClassifierErrorKind errorKind, Exception exception);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "ONNX Runtime execution provider {ExecutionProvider} ({Reason})")]
    public static partial void ExecutionProviderSelected(ILogger logger, string executionProvider, string reason);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning,
        Message = "Execution provider {Requested} was configured but CUDA is unavailable, running on CPU: {Reason}")]
    public static partial void CudaUnavailable(ILogger logger, string requested, string reason);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Error,
        Message = "Execution provider cuda was configured but CUDA is unavailable; the model stays unloaded and the service not ready: {Reason}")]
    public static partial void CudaRequiredButUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Disposed model {ModelName} {ModelVersion}")]
    public static partial void ModelDisposed(ILogger logger, string modelName, string modelVersion);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Debug, Message = "Model file {File} is cached with the expected hash")]
    public static partial void ModelFileCached(ILogger logger, string file);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Information, Message = "Downloaded model file {File}")]
    public static partial void ModelFileDownloaded(ILogger logger, string file);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Warning, Message = "Model refresh from {Source} failed ({ErrorKind}); still serving {ModelVersion}")]
    public static partial void ModelRefreshFailed(ILogger logger, string source, ClassifierErrorKind errorKind, string? modelVersion, Exception exception);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Information, Message = "Swapped model {ModelName} from version {PreviousVersion} to {ModelVersion}")]
    public static partial void ModelSwapped(ILogger logger, string modelName, string? previousVersion, string modelVersion);

    [LoggerMessage(EventId = 2000, Level = LogLevel.Debug, Message = "Encoded a batch of {BatchSize} rows from {RequestCount} requests, {TokenCount} tokens padded, in {ElapsedMs} ms")]
    public static partial void BatchEncoded(ILogger logger, int batchSize, int requestCount, int tokenCount, double elapsedMs);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning,
        Message = "A batch merged from {RequestCount} requests ({BatchSize} rows) failed; running each request's rows alone")]
    public static partial void MergedBatchFailed(ILogger logger, int requestCount, int batchSize, Exception exception);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug,
        Message = "Classified {InputCount} inputs with head {Head}: tokenize {TokenizeMs} ms, queue {QueueMs} ms, inference {InferenceMs} ms")]
    public static partial void Classified(ILogger logger, int inputCount, string head, double tokenizeMs, double queueMs, double inferenceMs);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning,
        Message = "Inference queue full: refused {RefusedCount} requests in the last {IntervalSeconds} s ({QueuedTokens} tokens waiting, limit {MaxQueuedTokens})")]
    public static partial void Overloaded(ILogger logger, long refusedCount, double intervalSeconds, long queuedTokens, long maxQueuedTokens);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Debug, Message = "Refused a request of {TokenCount} tokens ({QueuedTokens} tokens waiting, limit {MaxQueuedTokens})")]
    public static partial void RequestRefused(ILogger logger, int tokenCount, long queuedTokens, long maxQueuedTokens);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "Inference failed ({ErrorKind})")]
    public static partial void InferenceFailed(ILogger logger, ClassifierErrorKind errorKind, Exception exception);
}
