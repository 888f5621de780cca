using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Serverless.Classifier.Inference;
using Serverless.Classifier.Model;

namespace Serverless.Classifier.Benchmarks;

/// <summary>Real inputs (the held-out UCI sentiment sentences) and the default model, shared by the benchmarks.</summary>
internal static class BenchmarkData
{
    public static string ModelDirectory => Path.Combine(AppContext.BaseDirectory, "models", "default");

    /// <summary>The test split's sentences in file order (median 12 tokens; the longest about 80).</summary>
    public static string[] Sentences() =>
        [.. File.ReadLines(Path.Combine(AppContext.BaseDirectory, "data", "test.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("text").GetString()!)];

    public static ClassifierModel LoadModel() =>
        ClassifierModel.LoadAsync(ModelDirectory, new OnnxSessionFactory(new ClassifierOptions(), NullLogger.Instance), NullLogger.Instance, CancellationToken.None).GetAwaiter().GetResult();

    public static ServiceProvider Services() =>
        new ServiceCollection()
            .AddLogging()
            .AddTextClassifier().Configure(o => o.ModelPath = ModelDirectory).Services
            .BuildServiceProvider();
}
