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
}
