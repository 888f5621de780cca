using System.Text.Json;
using Serverless.Classifier.Model;

namespace Serverless.Classifier.Hosting.Http;

/// <summary>
/// Parses the body of <c>POST /api/classify</c>: <c>{"inputs": input | [input, ...], "parameters": {"top_k",
/// "function_to_apply", "truncation", "truncation_direction", "head", "chunking", "chunk_size", "chunk_stride",
/// "chunk_aggregate", "return_chunks"}}</c>, an input being a string or a text pair (<c>{"text", "text_pair"}</c> or
/// <c>["a", "b"]</c>). Every defect is an InvalidInput naming the field.
/// </summary>
internal static class ClassifyRequestParser
{
    /// <summary>A parsed body: what the engine classifies, how many labels to show per input, and whether
    /// <c>inputs</c> was one input, not an array (the engine's <c>inputs[0]</c> is then the client's <c>inputs</c>).</summary>
    public sealed record Parsed(ClassificationRequest Request, int? TopK, bool SingleInput = false);

    private static readonly string[] Parameters =
        ["top_k", "function_to_apply", "truncation", "truncation_direction", "head", "chunking", "chunk_size", "chunk_stride", "chunk_aggregate", "return_chunks"];

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 16,
        // NOTE: with duplicates allowed, System.Text.Json keeps the last value while other parsers keep the first; a
        // request meaning different things to a proxy and to us is refused instead.
        AllowDuplicateProperties = false,
    };

    public static Parsed Parse(ReadOnlyMemory<byte> body) => ParseBody(body, Parse);

    /// <summary>Parses a JSON body with the API's rules (no duplicate keys, valid Unicode, depth 16) and hands its root
    /// to <paramref name="parse"/>; every defect is an InvalidInput naming the field.</summary>
    internal static T ParseBody<T>(ReadOnlyMemory<byte> body, Func<JsonElement, T> parse)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
        }
        catch (InvalidOperationException exception)
        {
            // NOTE: the duplicate-key check decodes every key and throws this for a key that is not valid Unicode.
            throw Invalid("body", $"The body has a key that is not valid Unicode ({exception.Message}); send UTF-8, with \\uD800-\\uDFFF escapes only in high-low pairs.");
        }
        catch (JsonException exception)
        {
            throw Invalid("body", exception.Message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase)
                ? $"The body has a duplicate key: {exception.Message} Send each key once."
                : $"The body is not valid JSON: {exception.Message}");
        }

        using (document)
        {
            try
            {
                return parse(document.RootElement);
            }
            catch (InvalidOperationException exception)
            {
                // System.Text.Json refuses to turn invalid UTF-8, or a \u escape of a lone surrogate, into a string.
                // Items are checked one by one in ReadTexts; this catches the rest (keys, parameter values).
                throw Invalid("body", $"The body has text that is not valid Unicode ({exception.Message}); send UTF-8, with \\uD800-\\uDFFF escapes only in high-low pairs.");
            }
        }
    }

    private static Parsed Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("body", $"The body is a JSON {Describe(root.ValueKind)}; expected an object such as {{\"inputs\": [\"text\"]}}.");
        }

        if (!root.TryGetProperty("inputs", out var inputs))
        {
            throw Invalid("inputs", "inputs is missing; send {\"inputs\": \"text\"} or {\"inputs\": [\"text\", ...]}.");
        }

        foreach (var property in root.EnumerateObject())
        {
            if (property.Name is not ("inputs" or "parameters"))
            {
                throw Invalid(Shorten(property.Name), $"Unknown field '{Shorten(property.Name)}'; the body has 'inputs' and optionally 'parameters'.");
            }
        }

        var (texts, seconds) = inputs.ValueKind switch
        {
            JsonValueKind.String => ([ReadText(inputs, "inputs")], [null]),
            JsonValueKind.Object => One(ReadPairObject(inputs, "inputs")),
            JsonValueKind.Array => ReadTexts(inputs),
            _ => throw Invalid("inputs", $"inputs is a JSON {Describe(inputs.ValueKind)}; expected a string, an array of strings, or text pairs ({{\"text\", \"text_pair\"}} or [text, text_pair])."),
        };

        var request = new Parsed(
            new ClassificationRequest { Texts = texts, SecondTexts = seconds.Any(s => s is not null) ? seconds : null },
            TopK: null,
            SingleInput: inputs.ValueKind is JsonValueKind.String or JsonValueKind.Object);
        return root.TryGetProperty("parameters", out var parameters) ? ApplyParameters(request, parameters) : request;
    }

    internal static string ReadText(JsonElement item, string field)
    {
        try
        {
            return item.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw Invalid(field, $"{field} is not valid Unicode (invalid UTF-8, or a \\u escape of a lone surrogate); send UTF-8 text, with \\uD800-\\uDFFF escapes only in high-low pairs.");
        }
    }

    /// <summary>A name from the request, cut to 64 characters for messages.</summary>
    internal static string Shorten(string name) => name.Length <= 64 ? name : string.Concat(name.AsSpan(0, 64), "...");

    /// <summary>Each input: a string, or a text pair as <c>{"text", "text_pair"}</c> (Hugging Face's pipeline shape) or a
    /// two-string array; the second texts are null for single texts.</summary>
    private static (string[] Texts, string?[] Seconds) ReadTexts(JsonElement inputs)
    {
        var texts = new string[inputs.GetArrayLength()];
        var seconds = new string?[texts.Length];
        var index = 0;
        foreach (var item in inputs.EnumerateArray())
        {
            var field = $"inputs[{index}]";
            (texts[index], seconds[index]) = item.ValueKind switch
            {
                JsonValueKind.String => (ReadText(item, field), null),
                JsonValueKind.Object => ReadPairObject(item, field),
                JsonValueKind.Array when item.GetArrayLength() == 2 && item[0].ValueKind == JsonValueKind.String && item[1].ValueKind == JsonValueKind.String =>
                    (ReadText(item[0], $"{field}[0]"), ReadText(item[1], $"{field}[1]")),
                _ => throw Invalid(field, $"{field} is a JSON {Describe(item.ValueKind)}{(item.ValueKind == JsonValueKind.Array ? $" of {item.GetArrayLength()} items" : string.Empty)}; every input must be a string, or a text pair: {{\"text\", \"text_pair\"}} or an array of two strings."),
            };
            index++;
        }

        return (texts, seconds);
    }

    private static (string[] Texts, string?[] Seconds) One((string Text, string? Pair) input) => ([input.Text], [input.Pair]);

    /// <summary>A text pair in Hugging Face's pipeline shape: <c>{"text": "...", "text_pair": "..."}</c> (text_pair optional).</summary>
    private static (string Text, string? Pair) ReadPairObject(JsonElement item, string field)
    {
        string? text = null;
        string? pair = null;
        foreach (var property in item.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "text" when value.ValueKind == JsonValueKind.String:
                    text = ReadText(value, $"{field}.text");
                    break;
                case "text_pair" when value.ValueKind == JsonValueKind.String:
                    pair = ReadText(value, $"{field}.text_pair");
                    break;
                case "text" or "text_pair":
                    throw Invalid($"{field}.{property.Name}", $"{field}.{property.Name} is a JSON {Describe(value.ValueKind)}; it must be a string.");
                default:
                    throw Invalid($"{field}.{Shorten(property.Name)}", $"Unknown field '{Shorten(property.Name)}' in {field}; a text pair has \"text\" and \"text_pair\".");
            }
        }

        return text is null ? throw Invalid(field, $"{field} has no \"text\"; a text pair is {{\"text\": \"...\", \"text_pair\": \"...\"}}.") : (text, pair);
    }

    private static Parsed ApplyParameters(Parsed request, JsonElement parameters)
    {
        if (parameters.ValueKind == JsonValueKind.Null)
        {
            return request;
        }

        if (parameters.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("parameters", $"parameters is a JSON {Describe(parameters.ValueKind)}; expected an object.");
        }

        request = request with { Request = request.Request with { Chunking = ReadChunking(parameters) } };
        foreach (var property in parameters.EnumerateObject())
        {
            var field = $"parameters.{property.Name}";
            var value = property.Value;
            request = property.Name switch
            {
                "chunking" or "chunk_size" or "chunk_stride" or "chunk_aggregate" or "return_chunks" => request,
                "top_k" => request with
                {
                    TopK = value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var topK) && topK >= 1
                        ? topK
                        : throw Invalid(field, value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var small)
                            ? $"{field} is {small}; it must be at least 1."
                            : $"{field} must be a whole number of labels, at least 1."),
                },
                "function_to_apply" => request with
                {
                    Request = request.Request with
                    {
                        FunctionToApply = value.ValueKind == JsonValueKind.String && value.GetString() is "softmax" or "sigmoid" or "none"
                            ? Enum.Parse<Activation>(value.GetString()!, ignoreCase: true)
                            : throw Invalid(field, $"{field} must be \"softmax\", \"sigmoid\" or \"none\"."),
                    },
                },
                "truncation" => request with
                {
                    Request = request.Request with
                    {
                        Truncation = value.ValueKind is JsonValueKind.True or JsonValueKind.False
                            ? value.GetBoolean()
                            : throw Invalid(field, $"{field} must be true or false."),
                    },
                },
                "truncation_direction" => request with
                {
                    Request = request.Request with
                    {
                        TruncationDirection = value.ValueKind == JsonValueKind.String && Enum.TryParse<TruncationDirection>(value.GetString(), ignoreCase: true, out var direction)
                            && Enum.IsDefined(direction) && !char.IsAsciiDigit(value.GetString()![0])
                            ? direction
                            : throw Invalid(field, $"{field} must be \"right\" (keep the start of an over-long input) or \"left\" (keep its end)."),
                    },
                },
                "head" => request with
                {
                    Request = request.Request with
                    {
                        Head = value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } head
                            ? head
                            : throw Invalid(field, $"{field} must be a head name (GET /api/models lists them)."),
                    },
                },
                _ => throw Invalid(Shorten(field), $"Unknown parameter '{Shorten(property.Name)}'; parameters are {string.Join(", ", Parameters)}."),
            };
        }

        return request;
    }

    /// <summary><c>chunking</c> and the parameters that shape it, which apply only with <c>chunking: true</c>.</summary>
    private static Chunking? ReadChunking(JsonElement parameters)
    {
        var chunking = new Chunking();
        var on = false;
        string? shaping = null;
        foreach (var property in parameters.EnumerateObject())
        {
            var field = $"parameters.{property.Name}";
            var value = property.Value;
            switch (property.Name)
            {
                case "chunking":
                    on = value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : throw Invalid(field, $"{field} must be true or false.");
                    continue;
                case "chunk_size":
                    chunking = chunking with
                    {
                        Size = WholeNumber(value, minimum: 3)
                            ?? throw Invalid(field, $"{field} must be a whole number of tokens per window, [CLS] and [SEP] included: at least 3 and at most the model's maximum length (the default)."),
                    };
                    break;
                case "chunk_stride":
                    chunking = chunking with
                    {
                        Stride = WholeNumber(value, minimum: 0)
                            ?? throw Invalid(field, $"{field} must be a whole number of word pieces shared by consecutive windows, at least 0 (default: a quarter of a window)."),
                    };
                    break;
                case "chunk_aggregate":
                    chunking = chunking with
                    {
                        Aggregate = value.ValueKind == JsonValueKind.String && value.GetString() is "mean" or "max"
                            ? Enum.Parse<ChunkAggregate>(value.GetString()!, ignoreCase: true)
                            : throw Invalid(field, $"{field} must be \"mean\" (the windows' mean score: what the document says overall) or \"max\" (their highest: whether any part says it)."),
                    };
                    break;
                case "return_chunks":
                    chunking = chunking with
                    {
                        ReturnChunks = value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : throw Invalid(field, $"{field} must be true or false."),
                    };
                    break;
                default:
                    continue;
            }

            shaping ??= field;
        }

        if (!on && shaping is not null)
        {
            throw Invalid(shaping, $"{shaping} applies only with parameters.chunking: true; add it, or drop {shaping}.");
        }

        return on ? chunking : null;
    }

    /// <summary>A JSON number that is a 32-bit whole number of at least <paramref name="minimum"/>, else null.</summary>
    private static int? WholeNumber(JsonElement value, int minimum) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= minimum ? number : null;

    internal static ClassifierException Invalid(string field, string message, InvalidInputRule rule = InvalidInputRule.Other) =>
        new(ClassifierErrorKind.InvalidInput, message) { Field = field, Rule = rule };

    internal static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };
}
