using System.Text.Json;
using static Serverless.Classifier.Hosting.Http.ClassifyRequestParser;

namespace Serverless.Classifier.Hosting.Http;

/// <summary>
/// Parses the bodies of the Text Embeddings Inference-compatible routes, with TEI's shapes: <c>POST /predict</c>
/// <c>{"inputs": "a" | ["a", "b"] | [["a"], ["b", "c"], ...], "truncate", "truncation_direction", "raw_scores"}</c>
/// (a two-string array is one text pair, a batch is an array of one- or two-string arrays) and <c>POST /tokenize</c>
/// <c>{"inputs": "a" | ["a", ...], "add_special_tokens"}</c>. Every defect is an InvalidInput naming the field.
/// </summary>
internal static class TeiRequestParser
{
    /// <summary>A parsed <c>/predict</c> body.</summary>
    /// <param name="Request">What the engine classifies.</param>
    /// <param name="Batch">True when <c>inputs</c> was a batch (the response is then a list per input).</param>
    public sealed record Predict(ClassificationRequest Request, bool Batch);

    /// <summary>A parsed <c>/tokenize</c> body.</summary>
    public sealed record Tokenize(IReadOnlyList<string> Texts, bool AddSpecialTokens, bool Batch);

    public static Predict ParsePredict(ReadOnlyMemory<byte> body) => ParseBody(body, root =>
    {
        var inputs = RequireObjectWithInputs(root, ["inputs", "truncate", "truncation_direction", "raw_scores"]);
        var (sequences, batch) = inputs.ValueKind switch
        {
            JsonValueKind.String => ([(ReadText(inputs, "inputs"), null)], false),
            JsonValueKind.Array when inputs.GetArrayLength() == 0 => throw Invalid("inputs", "inputs is an empty array; send a string, a pair [\"a\", \"b\"] or a batch [[\"a\"], [\"b\"]].", InvalidInputRule.Empty),
            JsonValueKind.Array when inputs[0].ValueKind == JsonValueKind.String => ([Sequence(inputs, "inputs")], false),
            JsonValueKind.Array => (inputs.EnumerateArray().Select((item, i) => Sequence(item, $"inputs[{i}]")).ToArray(), true),
            _ => throw Invalid("inputs", $"inputs is a JSON {Describe(inputs.ValueKind)}; expected a string, a pair [\"a\", \"b\"] or a batch [[\"a\"], [\"b\"]]."),
        };

        var request = new ClassificationRequest
        {
            Texts = [.. sequences.Select(s => s.Text)],
            SecondTexts = sequences.Any(s => s.Pair is not null) ? [.. sequences.Select(s => s.Pair)] : null,
            Truncation = Boolean(root, "truncate", defaultValue: false),
            FunctionToApply = Boolean(root, "raw_scores", defaultValue: false) ? Model.Activation.None : null,
            TruncationDirection = root.TryGetProperty("truncation_direction", out var direction) ? Direction(direction) : TruncationDirection.Right,
        };
        return new Predict(request, batch);
    });

    public static Tokenize ParseTokenize(ReadOnlyMemory<byte> body) => ParseBody(body, root =>
    {
        var inputs = RequireObjectWithInputs(root, ["inputs", "add_special_tokens"]);
        var (texts, batch) = inputs.ValueKind switch
        {
            JsonValueKind.String => ([ReadText(inputs, "inputs")], false),
            JsonValueKind.Array when inputs.GetArrayLength() == 0 => throw Invalid("inputs", "inputs is an empty array; send a string or an array of strings.", InvalidInputRule.Empty),
            JsonValueKind.Array => (inputs.EnumerateArray().Select((item, i) => item.ValueKind == JsonValueKind.String
                ? ReadText(item, $"inputs[{i}]")
                : throw Invalid($"inputs[{i}]", $"inputs[{i}] is a JSON {Describe(item.ValueKind)}; every input must be a string.")).ToArray(), true),
            _ => throw Invalid("inputs", $"inputs is a JSON {Describe(inputs.ValueKind)}; expected a string or an array of strings."),
        };
        return new Tokenize(texts, Boolean(root, "add_special_tokens", defaultValue: true), batch);
    });

    private static JsonElement RequireObjectWithInputs(JsonElement root, string[] fields)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("body", $"The body is a JSON {Describe(root.ValueKind)}; expected an object such as {{\"inputs\": \"text\"}}.");
        }

        foreach (var property in root.EnumerateObject())
        {
            if (!fields.Contains(property.Name))
            {
                throw Invalid(Shorten(property.Name), $"Unknown field '{Shorten(property.Name)}'; the body has {string.Join(", ", fields)}.");
            }
        }

        return root.TryGetProperty("inputs", out var inputs) ? inputs : throw Invalid("inputs", "inputs is missing; send {\"inputs\": \"text\"}.");
    }

    /// <summary>One sequence: a string array of one text, or of two (a text pair).</summary>
    private static (string Text, string? Pair) Sequence(JsonElement item, string field)
    {
        if (item.ValueKind != JsonValueKind.Array)
        {
            throw Invalid(field, $"{field} is a JSON {Describe(item.ValueKind)}; a batch holds arrays: [\"text\"] or a pair [\"a\", \"b\"].");
        }

        var length = item.GetArrayLength();
        for (var i = 0; i < length; i++)
        {
            if (item[i].ValueKind != JsonValueKind.String)
            {
                throw Invalid($"{field}[{i}]", $"{field}[{i}] is a JSON {Describe(item[i].ValueKind)}; every text must be a string.");
            }
        }

        return length switch
        {
            1 => (ReadText(item[0], $"{field}[0]"), null),
            2 => (ReadText(item[0], $"{field}[0]"), ReadText(item[1], $"{field}[1]")),
            _ => throw Invalid(field, $"{field} has {length} strings; a sequence is one text [\"text\"] (or a pair [\"a\", \"b\"])."),
        };
    }

    private static bool Boolean(JsonElement root, string field, bool defaultValue) =>
        !root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null ? defaultValue
        : value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean()
        : throw Invalid(field, $"{field} must be true or false.");

    private static TruncationDirection Direction(JsonElement value) =>
        value.ValueKind == JsonValueKind.String && value.GetString()!.ToUpperInvariant() is "LEFT" or "RIGHT"
            ? Enum.Parse<TruncationDirection>(value.GetString()!, ignoreCase: true)
            : throw Invalid("truncation_direction", "truncation_direction must be \"Right\" (keep the start of an over-long input) or \"Left\" (keep its end).");
}
