using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Serverless.Classifier.Testing;

/// <summary>A logger provider that keeps every event (id, level, formatted message, scopes) for assertions.</summary>
public sealed class LogCapture : ILoggerProvider
{
    /// <summary>Every event logged so far, in order.</summary>
    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(Entries, categoryName);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class Logger(ConcurrentQueue<LogEntry> entries, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue(new LogEntry(category, eventId.Id, logLevel, formatter(state, exception), exception));
    }
}

/// <summary>One captured event.</summary>
public sealed record LogEntry(string Category, int EventId, LogLevel Level, string Message, Exception? Exception);
