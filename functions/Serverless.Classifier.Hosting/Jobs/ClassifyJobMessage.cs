using System.Text.Json;

namespace Serverless.Classifier.Hosting.Jobs;

/// <summary>
/// A batch job message (docs/architecture.md): <c>{"input": "&lt;container&gt;/&lt;blob&gt;", "output": "&lt;container&gt;/&lt;blob&gt;",
/// "head"?, "format"?: "jsonl" | "csv" | "txt", "idField"?, "textField"?}</c>.
/// </summary>
internal sealed record ClassifyJobMessage(string Input, string Output, string? Head, string? Format, string? IdField, string? TextField)
{
    /// <summary>Parses and checks a message; a defect is an InvalidInput (the message can never succeed).</summary>
    public static ClassifyJobMessage Parse(string text, JobOptions options)
    {
        ClassifyJobMessage? message;
        try
        {
            message = JsonSerializer.Deserialize<ClassifyJobMessage>(text, JsonSerializerOptions.Web);
        }
        catch (JsonException exception)
        {
            throw Reject($"The message is not valid JSON ({exception.Message}); expected {{\"input\": \"inputs/<blob>\", \"output\": \"outputs/<blob>\"}}.");
        }

        if (message is null || string.IsNullOrWhiteSpace(message.Input) || string.IsNullOrWhiteSpace(message.Output))
        {
            throw Reject("The message needs \"input\" and \"output\" blob paths, such as {\"input\": \"inputs/reviews.jsonl\", \"output\": \"outputs/reviews.jsonl\"}.");
        }

        CheckPath(message.Input, "input", options.InputContainers);
        CheckPath(message.Output, "output", options.OutputContainers);
        if (message.Format is not (null or "jsonl" or "csv" or "txt"))
        {
            throw Reject($"format '{message.Format}' is not supported; use jsonl, csv or txt (or omit it to use the input's extension).");
        }

        return message;
    }

    /// <summary>The input format: as given, else from the input's extension (.jsonl/.json, .csv, otherwise text lines).</summary>
    public string ResolvedFormat => Format ?? Path.GetExtension(Input).ToLowerInvariant() switch
    {
        ".jsonl" or ".json" or ".ndjson" => "jsonl",
        ".csv" => "csv",
        _ => "txt",
    };

    public static (string Container, string Blob) Split(string path)
    {
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        return (path[..slash], path[(slash + 1)..]);
    }

    private static void CheckPath(string path, string field, IList<string> allowed)
    {
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        var segments = path.Split('/');
        if (slash <= 0 || slash == path.Length - 1 || segments.Any(s => s is "" or "." or "..") || path.Contains('\\', StringComparison.Ordinal))
        {
            throw Reject($"{field} '{path}' is not a blob path; expected '<container>/<blob>' without '..' or empty segments.");
        }

        if (!allowed.Contains(path[..slash], StringComparer.Ordinal))
        {
            throw Reject($"{field} '{path}' is in container '{path[..slash]}'; jobs may use [{string.Join(", ", allowed)}] for {field}.");
        }
    }

    private static ClassifierException Reject(string message) => new(ClassifierErrorKind.InvalidInput, message);
}
