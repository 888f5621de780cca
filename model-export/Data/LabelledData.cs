using System.Text.Json;
using System.Text.Json.Nodes;

namespace ModelExport.Data;

/// <summary>Reads labelled JSON Lines files; every defect names the file and line.</summary>
internal static class LabelledData
{
    public static IReadOnlyList<LabelledExample> Read(string path) =>
        ReadLines(path, "{\"id\", \"text\", \"label\"}", (line, lineNumber) =>
        {
            var example = JsonSerializer.Deserialize<LabelledExample>(line, JsonSerializerOptions.Web);
            if (example is null || example.Text is null || string.IsNullOrWhiteSpace(example.Label))
            {
                throw new ModelExportException($"'{path}' line {lineNumber} lacks \"text\" or \"label\"; expected {{\"id\", \"text\", \"label\"}}.");
            }

            return example with { Id = example.Id ?? lineNumber.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        });

    /// <summary>Reads the texts of JSON Lines <c>{"text"}</c> (other fields, labels included, are ignored).</summary>
    public static IReadOnlyList<string> ReadTexts(string path) =>
        ReadLines(path, "{\"text\"}", (line, lineNumber) =>
            JsonNode.Parse(line) is JsonObject node && node["text"] is JsonValue t && t.TryGetValue<string>(out var text) && !string.IsNullOrWhiteSpace(text)
                ? text
                : throw new ModelExportException($"'{path}' line {lineNumber} lacks a non-empty \"text\"; expected {{\"text\"}}."));

    /// <summary>
    /// Reads multi-label JSON Lines: <c>{"id", "text", "labels": ["a", "b"]}</c> (an empty array: no label present), or
    /// <c>"label": "a"</c> for one label.
    /// </summary>
    public static IReadOnlyList<(string Text, string[] Labels)> ReadSets(string path) =>
        ReadLines(path, "{\"id\", \"text\", \"labels\": [...]}", (line, lineNumber) =>
        {
            var node = JsonNode.Parse(line) as JsonObject;
            var text = node?["text"] is JsonValue t && t.TryGetValue<string>(out var value) ? value : null;
            string[]? labels = node?["labels"] is JsonArray array && array.All(l => l is JsonValue v && v.TryGetValue<string>(out _))
                ? [.. array.Select(l => l!.GetValue<string>())]
                : node?["label"] is JsonValue one && one.TryGetValue<string>(out var label) ? [label] : null;
            return text is not null && labels is not null
                ? (text, labels)
                : throw new ModelExportException(
                    $"'{path}' line {lineNumber} lacks \"text\" or \"labels\"; expected {{\"id\", \"text\", \"labels\": [\"a\", ...]}} or a single \"label\".");
        });

    /// <summary>Parses every non-blank line of a JSON Lines file; a file that is missing, a line that is not JSON and a
    /// file without examples are errors naming the file (and line).</summary>
    private static List<T> ReadLines<T>(string path, string expected, Func<string, int, T> parse)
    {
        if (!File.Exists(path))
        {
            throw new ModelExportException($"Data file '{path}' does not exist; expected JSON Lines of {expected}.");
        }

        var examples = new List<T>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                examples.Add(parse(line, lineNumber));
            }
            catch (JsonException exception)
            {
                throw new ModelExportException($"'{path}' line {lineNumber} is not valid JSON: {exception.Message}", exception);
            }
            catch (InvalidOperationException exception)
            {
                // JsonNode reads a string only when asked for it: an escaped lone surrogate ("\ud800") surfaces here.
                throw new ModelExportException($"'{path}' line {lineNumber} has a string that is not valid Unicode: {exception.Message}", exception);
            }
        }

        return examples.Count > 0 ? examples : throw new ModelExportException($"'{path}' has no examples.");
    }
}
