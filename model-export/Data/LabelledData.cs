using System.Text.Json;

namespace ModelExport.Data;

/// <summary>Reads labelled JSON Lines files; every defect names the file and line.</summary>
internal static class LabelledData
{
    public static IReadOnlyList<LabelledExample> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new ModelExportException($"Data file '{path}' does not exist; expected JSON Lines of {{\"id\", \"text\", \"label\"}}.");
        }

        var examples = new List<LabelledExample>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            LabelledExample? example;
            try
            {
                example = JsonSerializer.Deserialize<LabelledExample>(line, JsonSerializerOptions.Web);
            }
            catch (JsonException exception)
            {
                throw new ModelExportException($"'{path}' line {lineNumber} is not valid JSON: {exception.Message}", exception);
            }

            if (example is null || example.Text is null || string.IsNullOrWhiteSpace(example.Label))
            {
                throw new ModelExportException($"'{path}' line {lineNumber} lacks \"text\" or \"label\"; expected {{\"id\", \"text\", \"label\"}}.");
            }

            examples.Add(example with { Id = example.Id ?? lineNumber.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }

        if (examples.Count == 0)
        {
            throw new ModelExportException($"'{path}' has no examples.");
        }

        return examples;
    }

    /// <summary>
    /// Reads multi-label JSON Lines: <c>{"id", "text", "labels": ["a", "b"]}</c> (an empty array: no label present), or
    /// <c>"label": "a"</c> for one label. Every defect names the file and line.
    /// </summary>
    public static IReadOnlyList<(string Text, string[] Labels)> ReadSets(string path)
    {
        if (!File.Exists(path))
        {
            throw new ModelExportException($"Data file '{path}' does not exist; expected JSON Lines of {{\"id\", \"text\", \"labels\": [...]}}.");
        }

        var examples = new List<(string, string[])>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            System.Text.Json.Nodes.JsonNode? node;
            try
            {
                node = System.Text.Json.Nodes.JsonNode.Parse(line);
            }
            catch (JsonException exception)
            {
                throw new ModelExportException($"'{path}' line {lineNumber} is not valid JSON: {exception.Message}", exception);
            }

            var text = node?["text"] is System.Text.Json.Nodes.JsonValue t && t.TryGetValue<string>(out var s) ? s : null;
            string[]? labels = node?["labels"] is System.Text.Json.Nodes.JsonArray array && array.All(l => l is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out _))
                ? [.. array.Select(l => l!.GetValue<string>())]
                : node?["label"] is System.Text.Json.Nodes.JsonValue one && one.TryGetValue<string>(out var label) ? [label] : null;
            if (text is null || labels is null)
            {
                throw new ModelExportException($"'{path}' line {lineNumber} lacks \"text\" or \"labels\"; expected {{\"id\", \"text\", \"labels\": [\"a\", ...]}} or a single \"label\".");
            }

            examples.Add((text, labels));
        }

        return examples.Count > 0 ? examples : throw new ModelExportException($"'{path}' has no examples.");
    }
}
