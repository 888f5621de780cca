using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Serverless.Classifier.Diagnostics;

/// <summary>The <c>Serverless.Classifier</c> meter: failures by error kind, inference duration, batch size, tokens.</summary>
internal static class ClassifierMetrics
{
    private static readonly Meter Meter = new(ClassifierTelemetry.MeterName);
    private static readonly Counter<long> Failures = Meter.CreateCounter<long>("classifier.failures", description: "Requests that failed, by error kind.");
    private static readonly Counter<long> Texts = Meter.CreateCounter<long>("classifier.texts", description: "Texts classified.");
    private static readonly Histogram<double> InferenceDuration = Meter.CreateHistogram<double>("classifier.inference.duration", unit: "ms", description: "Encoder, pooling and heads per request.");
    private static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>("classifier.batch.size", description: "Rows per encoder batch.");
    private static readonly Histogram<int> BatchTokens = Meter.CreateHistogram<int>("classifier.batch.tokens", unit: "{token}", description: "Padded tokens per encoder batch.");

    public static void Failed(ClassifierErrorKind kind) => Failures.Add(1, new TagList { { "error.kind", kind.ToString() } });

    public static void Classified(int texts, double inferenceMs)
    {
        Texts.Add(texts);
        InferenceDuration.Record(inferenceMs);
    }

    public static void Batch(int rows, int tokens)
    {
        BatchSize.Record(rows);
        BatchTokens.Record(tokens);
    }
}
