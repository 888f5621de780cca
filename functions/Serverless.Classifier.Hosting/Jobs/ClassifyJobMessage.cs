using System.Text;
using System.Text.Json;

namespace Serverless.Classifier.Hosting.Jobs;

/// <summary>
/// A batch job message (docs/architecture.md): <c>{"input": "&lt;container&gt;/&lt;blob&gt;", "output":
/// "&lt;container&gt;/&lt;blob&gt;", "head"?, "format"?: "jsonl" | "csv" | "txt", "idField"?, "textField"?, "jobId"?,
/// "truncationDirection"?: "right" | "left", "pairField"?, "chunking"?: true | false, "chunkSize"?: number, "chunkStride"?: number, "chunkAggregate"?: "mean" | "max"}</c>,
/// queued as base64 (what the Functions queue trigger and the Azure SDK's Base64 encoding send) or as the JSON itself.
/// Parsed as strictly as HTTP bodies: unknown or duplicate fields, wrong types and paths that storage would refuse are
/// reasons to reject the message, never to guess.
/// </summary>
internal sealed record ClassifyJobMessage(
    string Input, string Output, string? Head, string? Format, string? IdField, string? TextField, string? JobId, string? TruncationDirection = null, Chunking? Chunking = null,
    string? PairField = null)
{
    /// <summary>Blob names are at most 1,024 characters (Azure Storage).</summary>
    public const int MaxBlobNameLength = 1_024;

    private static readonly string[] Fields = ["input", "output", "head", "format", "idField", "textField", "jobId", "truncationDirection", "pairField", "chunking", "chunkSize", "chunkStride", "chunkAggregate"];
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
            var flags = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
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

                if (property.Name is "chunking" or "chunkSize" or "chunkStride")
                {
                    flags[property.Name] = property.Value.Clone();
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
                values.GetValueOrDefault("truncationDirection"),
                ReadChunking(flags, values.GetValueOrDefault("chunkAggregate")),
                values.GetValueOrDefault("pairField"));
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

            if (message.PairField is not null && message.ResolvedFormat == "txt")
            {
                throw Reject("pairField names the second text of a pair in JSON Lines or CSV input; a text input has one text per line. Send jsonl or csv, or drop pairField.");
            }

            if (message.PairField is not null && message.Chunking is not null)
            {
                throw Reject("pairField and chunking do not go together: chunking splits single long texts. Drop one of them (pairs are cut with longest_first).");
            }

            foreach (var (field, value) in new[] { ("head", message.Head), ("idField", message.IdField), ("textField", message.TextField), ("pairField", message.PairField), ("jobId", message.JobId) })
            {
                if (value is { Length: 0 or > 256 })
                {
                    throw Reject($"Field '{field}' must have 1 to 256 characters.");
                }
            }

            return message;
        }
    }

    /// <summary><c>chunking</c> (a boolean) and what shapes it (<c>chunkSize</c> and <c>chunkStride</c>, whole numbers; <c>chunkAggregate</c>),
    /// which apply only with <c>chunking: true</c>.</summary>
    private static Chunking? ReadChunking(Dictionary<string, JsonElement> flags, string? aggregate)
    {
        var on = false;
        if (flags.TryGetValue("chunking", out var chunking))
        {
            on = chunking.ValueKind is JsonValueKind.True or JsonValueKind.False ? chunking.GetBoolean() : throw Reject("Field 'chunking' must be true or false.");
        }

        int? Number(string field, int minimum, string meaning) =>
            !flags.TryGetValue(field, out var value) ? null
            : value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var parsed) && parsed >= minimum ? parsed
            : throw Reject($"Field '{field}' must be a whole number of {meaning}, at least {minimum}.");
        var size = Number("chunkSize", 3, "tokens per window ([CLS] and [SEP] included)");
        var stride = Number("chunkStride", 0, "word pieces shared by consecutive windows");

        if (aggregate is not (null or "mean" or "max"))
        {
            throw Reject($"chunkAggregate '{Shorten(aggregate)}' is not supported; use \"mean\" (the windows' mean score, the default) or \"max\" (their highest).");
        }

        if (!on && (size is not null || stride is not null || aggregate is not null))
        {
            throw Reject($"Field '{(size is not null ? "chunkSize" : stride is not null ? "chunkStride" : "chunkAggregate")}' applies only with \"chunking\": true; add it, or drop the field.");
        }

        return on ? new Chunking { Size = size, Stride = stride, Aggregate = aggregate == "max" ? ChunkAggregate.Max : ChunkAggregate.Mean } : null;
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
