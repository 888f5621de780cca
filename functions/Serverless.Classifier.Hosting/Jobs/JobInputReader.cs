using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using nietras.SeparatedValues;

namespace Serverless.Classifier.Hosting.Jobs;

/// <summary>
/// Streams the lines of an input blob without loading it whole: JSON Lines of objects, CSV (RFC 4180, header row,
/// parsed with Sep), or plain text (one input per line, id = 1-based line number). A bad line becomes an error line.
/// </summary>
internal static class JobInputReader
{
    public static IAsyncEnumerable<JobLine> ReadAsync(TextReader reader, string format, string idField, string textField, CancellationToken cancellationToken) => format switch
    {
        "jsonl" => ReadJsonLinesAsync(reader, idField, textField, cancellationToken),
        "csv" => ReadCsvAsync(reader, idField, textField, cancellationToken),
        _ => ReadTextAsync(reader, cancellationToken),
    };

    private static async IAsyncEnumerable<JobLine> ReadTextAsync(TextReader reader, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var number = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            yield return new JobLine(JsonValue.Create(++number), line, null);
        }
    }

    private static async IAsyncEnumerable<JobLine> ReadJsonLinesAsync(TextReader reader, string idField, string textField, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var number = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            number++;
            JsonObject? item = null;
            string? error = null;
            try
            {
                item = JsonNode.Parse(line) as JsonObject;
                error = item is null ? "the line is not a JSON object" : null;
            }
            catch (JsonException exception)
            {
                error = $"the line is not valid JSON: {exception.Message}";
            }

            var id = item?[idField]?.DeepClone() ?? JsonValue.Create(number);
            if (error is not null)
            {
                yield return new JobLine(id, null, error);
            }
            else if (item![textField] is JsonValue value && value.TryGetValue<string>(out var text))
            {
                yield return new JobLine(id, text, null);
            }
            else
            {
                yield return new JobLine(id, null, $"the line has no string field '{textField}'");
            }
        }
    }

    private static async IAsyncEnumerable<JobLine> ReadCsvAsync(TextReader reader, string idField, string textField, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var csv = Sep.Reader(o => o with { Unescape = true, DisableColCountCheck = true }).From(reader);
        if (!csv.Header.TryIndexOf(textField, out var textIndex))
        {
            throw new ClassifierException(
                ClassifierErrorKind.InvalidInput,
                $"The CSV header has columns [{string.Join(", ", csv.Header.ColNames)}] but no '{textField}'; add it or set textField in the message.");
        }

        var hasId = csv.Header.TryIndexOf(idField, out var idIndex);
        var number = 0;
        while (await csv.MoveNextAsync(cancellationToken).ConfigureAwait(false))
        {
            var row = csv.Current;
            number++;
            JsonNode id = hasId && idIndex < row.ColCount ? JsonValue.Create(row[idIndex].ToString()) : JsonValue.Create(number);
            yield return textIndex < row.ColCount
                ? new JobLine(id, row[textIndex].ToString(), null)
                : new JobLine(id, null, $"the row has {row.ColCount} columns; '{textField}' is column {textIndex + 1}");
        }
    }
}
