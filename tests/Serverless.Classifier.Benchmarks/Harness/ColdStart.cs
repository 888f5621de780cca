using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Serverless.Classifier.Benchmarks.Harness;

/// <summary>
/// <c>coldstart --package DIR</c>: process start to first label, as a fresh process sees it, broken down into the
/// runtime's start (to Main), the package load as event 1001 reports it (hashes, sessions, first run) and the first
/// classification; one JSON line. Run it several times in fresh processes (bench/coldstart.sh) and take medians.
/// </summary>
internal static class ColdStart
{
    public static async Task<int> RunAsync(Dictionary<string, string> options)
    {
        var toMain = DateTime.Now - Process.GetCurrentProcess().StartTime;
        var stopwatch = Stopwatch.StartNew();
        var loaded = new LoadEvent();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(loaded));
        services.AddTextClassifier().Configure(o => o.ModelPath = options["package"]);
        await using var provider = services.BuildServiceProvider();
        var classifier = provider.GetRequiredService<ITextClassifier>();
        var result = await classifier.ClassifyAsync(new ClassificationRequest { Texts = ["The battery died after two days."] }, CancellationToken.None);
        var toLabel = stopwatch.Elapsed;
        Console.WriteLine(new JsonObject
        {
            ["package"] = $"{result.ModelName} {result.ModelVersion}",
            ["runtimeToMainMs"] = Math.Round(toMain.TotalMilliseconds),
            ["loadMs"] = loaded.Values.GetValueOrDefault("ElapsedMs"),
            ["hashMs"] = loaded.Values.GetValueOrDefault("HashMs"),
            ["sessionMs"] = loaded.Values.GetValueOrDefault("SessionMs"),
            ["firstRunMs"] = loaded.Values.GetValueOrDefault("WarmUpMs"),
            ["mainToFirstLabelMs"] = Math.Round(toLabel.TotalMilliseconds),
            ["processStartToFirstLabelMs"] = Math.Round((toMain + toLabel).TotalMilliseconds),
        }.ToJsonString());
        return 0;
    }

    /// <summary>Keeps the numbers of event 1001 (model loaded).</summary>
    private sealed class LoadEvent : ILoggerProvider, ILogger
    {
        public Dictionary<string, long> Values { get; } = [];

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id == 1001 && state is IReadOnlyList<KeyValuePair<string, object?>> fields)
            {
                foreach (var (key, value) in fields)
                {
                    if (value is long number)
                    {
                        Values[key] = number;
                    }
                }
            }
        }

        public void Dispose()
        {
        }
    }
}
