using System.Text.Json.Nodes;

namespace Serverless.Classifier.Hosting.Jobs;

/// <summary>One input line: its id and text, or why it cannot be classified.</summary>
internal readonly record struct JobLine(JsonNode? Id, string? Text, string? Error);
