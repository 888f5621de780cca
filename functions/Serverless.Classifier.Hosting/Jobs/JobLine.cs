using System.Text.Json.Nodes;

namespace Serverless.Classifier.Hosting.Jobs;

/// <summary>One input: the line it starts on (1-based), its id (null when it has none), and its text (and, for text
/// pairs, its second text) or why it cannot be classified.</summary>
internal readonly record struct JobLine(long Line, JsonNode? Id, string? Text, string? Error, string? Pair = null);
