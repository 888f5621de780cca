using Microsoft.Extensions.Logging;

namespace Serverless.Classifier.Hosting.Diagnostics;

/// <summary>The hosting layer's log events. EventIds: 3xxx HTTP, 4xxx batch jobs (1xxx and 2xxx are the engine's). Never logs input text or scores.</summary>
internal static partial class Log
{
    // Debug: under overload or a flood of bad requests, one line per request would outgrow any log; the engine
    // reports refusals as counts (event 2002).
    [LoggerMessage(EventId = 3000, Level = LogLevel.Debug, Message = "HTTP classify request refused ({ErrorKind}, field {Field})")]
    public static partial void HttpRequestFailed(ILogger logger, ClassifierErrorKind errorKind, string? field);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Error, Message = "Unexpected error {ErrorId} answering {Path}")]
    public static partial void HttpUnexpectedError(ILogger logger, string errorId, string path, Exception exception);

    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Job {Input} -> {Output} started with model version {ModelVersion} from line {ResumedFromLine}")]
    public static partial void JobStarted(ILogger logger, string input, string output, string modelVersion, long resumedFromLine);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Job message {MessageId} rejected: {Reason}")]
    public static partial void JobRejected(ILogger logger, string messageId, string reason);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Job {Output} completed: {LineCount} lines, {ErrorCount} errors, {ElapsedMs} ms")]
    public static partial void JobCompleted(ILogger logger, string output, long lineCount, long errorCount, long elapsedMs);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Job {Output} out of time after {LineCount} lines; queued a continuation")]
    public static partial void JobContinued(ILogger logger, string output, long lineCount);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "Job {Output} cancelled on request after {LineCount} lines")]
    public static partial void JobCancelled(ILogger logger, string output, long lineCount);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "The summary of rejected job {Output} could not be written ({Status}); the rejected queue has the reason")]
    public static partial void JobSummaryNotWritten(ILogger logger, string output, int status);
}
