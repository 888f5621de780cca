using System.Text;
using System.Text.Json;

namespace Serverless.Classifier.Hosting.Jobs;

/// <summary>
/// A batch job message (docs/architecture.md): <c>{"input": "&lt;container&gt;/&lt;blob&gt;", "output":
/// "&lt;container&gt;/&lt;blob&gt;", "head"?, "format"?: "jsonl" | "csv" | "txt", "idField"?, "textField"?, "jobId"?,
/// "truncationDirection"?: "right" | "left"}</c>,
/// queued as base64 (what the Functions queue trigger and the Azure SDK's Base64 encoding send) or as the JSON itself.
/// Parsed as strictly as HTTP bodies: unknown or duplicate fields, wrong types and paths that storage would refuse are
/// reasons to reject the message, never to guess.
/// </summary>
internal sealed record ClassifyJobMessage(string Input, string Output, string? Head, string? Format, string? IdField, string? TextField, string? JobId, string? TruncationDirection = null)
{
    /// <summary>Blob names are at most 1,024 characters (Azure Storage).</summary>
    public const int MaxBlobNameLength = 1_024;

    private static readonly string[] Fields = ["input", "output", "head", "format", "idField", "textField", "jobId", "truncationDirection"];
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);
    private static readonly JsonDocumentOptions JsonOptions = new() { AllowDuplicateProperties = false, MaxDepth = 4 };

    /// <summary>The JSON of a queued message: base64-decoded when it is base64, else the text as it is.</summary>
    /// <exception cref="ClassifierException">InvalidInput: neither JSON nor base64 of UTF-8 JSON.</exception>
    public static string Decode(string queued)
    {
        var trimmed = queued.AsSpan().Trim();
        if (trimmed.Length > 0 && trimmed[0] == '{')
        {
            return queued;
        }

        var bytes = new byte[trimmed.Length];
        if (!Convert.TryFromBase64Chars(trimmed, bytes, out var length))
        {
            throw Reject("The message is neither JSON nor base64; queue the JSON itself or its base64 (the Functions default encoding).");
        }

        try
        {
            return StrictUtf8.GetString(bytes, 0, length);
        }
        catch (DecoderFallbackException)
        {
            throw Reject("The message is base64 but what it encodes is not UTF-8 text; encode the JSON as UTF-8 before base64.");
        }
    }

    /// <summary>Parses and checks a message's JSON; a defect is an InvalidInput (the message can never succeed).</summary>
    public static ClassifyJobMessage Parse(string text, JobOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (TextLimits.IndexOfLoneSurrogate(text) >= 0)
        {
            throw Reject("The message is not valid Unicode (it has a lone surrogate); send UTF-8 JSON.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, JsonOptions);
        }
        catch (InvalidOperationException exception)
        {
            // NOTE: the duplicate-field check decodes every name and throws this for one that is not valid Unicode.
            throw Reject($"The message has a field name that is not valid Unicode ({exception.Message}).");
        }
        catch (JsonException exception)
        {
            throw Reject(exception.Message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase)
                ? $"The message has a duplicate field ({exception.Message}); send each field once."
                : $"The message is not valid JSON ({exception.Message}); expected {{\"input\": \"inputs/<blob>\", \"output\": \"outputs/<blob>\"}}.");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Reject("The message needs \"input\" and \"output\" blob paths, such as {\"input\": \"inputs/reviews.jsonl\", \"output\": \"outputs/reviews.jsonl\"}.");
            }

            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                var name = property.Name.Length <= 64 ? property.Name : property.Name[..64] + "...";
                if (!Fields.Contains(property.Name, StringComparer.Ordinal))
                {
                    var hint = Fields.FirstOrDefault(f => string.Equals(f.Replace("Field", "_field", StringComparison.Ordinal), property.Name, StringComparison.OrdinalIgnoreCase)
                        || string.Equals(f, property.Name, StringComparison.OrdinalIgnoreCase));
                    throw Reject($"Unknown field '{name}'{(hint is null ? "" : $" (did you mean '{hint}'?)")}; a message has [{string.Join(", ", Fields)}].");
                }

                if (property.Value.ValueKind == JsonValueKind.Null)
                {
                    continue;
                }

                if (property.Value.ValueKind != JsonValueKind.String)
                {
                    throw Reject($"Field '{name}' must be a string.");
                }

                string value;
                try
                {
                    value = property.Value.GetString()!;
                }
                catch (InvalidOperationException)
                {
                    throw Reject($"Field '{name}' is not valid Unicode.");
                }

                // A \u escape of a lone surrogate parses into a string that is not valid Unicode.
                values[property.Name] = TextLimits.IndexOfLoneSurrogate(value) < 0 ? value : throw Reject($"Field '{name}' is not valid Unicode.");
            }

            if (!values.TryGetValue("input", out var input) || !values.TryGetValue("output", out var output) || string.IsNullOrWhiteSpace(input) || string.IsNullOrWhiteSpace(output))
            {
                throw Reject("The message needs \"input\" and \"output\" blob paths, such as {\"input\": \"inputs/reviews.jsonl\", \"output\": \"outputs/reviews.jsonl\"}.");
            }

            var message = new ClassifyJobMessage(
                input, output, values.GetValueOrDefault("head"), values.GetValueOrDefault("format"), values.GetValueOrDefault("idField"), values.GetValueOrDefault("textField"), values.GetValueOrDefault("jobId"),
                values.GetValueOrDefault("truncationDirection"));
            CheckPath(message.Input, "input", options.InputContainers, suffixLength: 0);
            // The output's progress and summary blobs add ".summary.json" to its name.
            CheckPath(message.Output, "output", options.OutputContainers, suffixLength: ".progress.json".Length);
            if (message.Format is not (null or "jsonl" or "csv" or "txt"))
            {
                throw Reject($"format '{Shorten(message.Format)}' is not supported; use jsonl, csv or txt (or omit it to use the input's extension).");
            }

            if (message.TruncationDirection is not (null or "left" or "right"))
            {
                throw Reject($"truncationDirection '{Shorten(message.TruncationDirection)}' is not supported; use \"right\" (keep the start of an over-long text, the default) or \"left\" (keep its end).");
            }

            foreach (var (field, value) in new[] { ("head", message.Head), ("idField", message.IdField), ("textField", message.TextField), ("jobId", message.JobId) })
            {
                if (value is { Length: 0 or > 256 })
                {
                    throw Reject($"Field '{field}' must have 1 to 256 characters.");
                }
            }

            return message;
        }
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

    private static void CheckPath(string path, string field, IList<string> allowed, int suffixLength)
    {
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        var segments = path.Split('/');
        if (slash <= 0 || slash == path.Length - 1 || segments.Any(s => s is "" or "." or "..") || path.Contains('\\', StringComparison.Ordinal)
            || path.Any(char.IsControl))
        {
            throw Reject($"{field} '{Shorten(path)}' is not a blob path; expected '<container>/<blob>' without '..', empty segments or control characters.");
        }

        if (path.Length - slash - 1 + suffixLength > MaxBlobNameLength)
        {
            throw Reject($"{field} has a blob name of {path.Length - slash - 1} characters; Azure Storage allows {MaxBlobNameLength - suffixLength} here. Use a shorter name.");
        }

        if (!allowed.Contains(path[..slash], StringComparer.Ordinal))
        {
            throw Reject($"{field} '{Shorten(path)}' is in container '{Shorten(path[..slash])}'; jobs may use [{string.Join(", ", allowed)}] for {field}.");
        }
    }

    private static string? Shorten(string? value) => value is { Length: > 80 } ? value[..80] + "..." : value;

    private static ClassifierException Reject(string message) => new(ClassifierErrorKind.InvalidInput, message);
}
