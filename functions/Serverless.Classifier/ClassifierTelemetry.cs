using System.Diagnostics;

namespace Serverless.Classifier;

/// <summary>
/// The engine's telemetry names, for hosts that export them (OpenTelemetry: <c>AddMeter</c>, <c>AddSource</c>). The
/// meter counts texts and failures and records inference and batch sizes; the activity source traces each
/// classification as a <c>classify</c> span with <c>tokenize</c>, <c>queue wait</c>, <c>encode</c> and <c>head</c>
/// children. Neither records input text or scores.
/// </summary>
public static class ClassifierTelemetry
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Serverless.Classifier";

    /// <summary>The activity source's name.</summary>
    public const string ActivitySourceName = "Serverless.Classifier";

    internal static readonly ActivitySource Source = new(ActivitySourceName);

    /// <summary>Records a finished phase as a child of <paramref name="parent"/>, from its measured start and end.</summary>
    internal static void Phase(Activity? parent, string name, DateTimeOffset start, DateTimeOffset end)
    {
        if (parent is null)
        {
            return;
        }

        using var phase = Source.StartActivity(name, ActivityKind.Internal, parent.Context, startTime: start);
        phase?.SetEndTime(end.UtcDateTime);
    }
}
