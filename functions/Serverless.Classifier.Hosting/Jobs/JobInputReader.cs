using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Serverless.Classifier.Hosting.Jobs;

/// <summary>
/// Streams the inputs of an input blob without loading it whole: JSON Lines of objects, CSV (RFC 4180, header row), or
/// plain text (one input per line, id = its line number). Every fault is the fault of one input, which becomes an error
/// line naming its line: a line that is not UTF-8 or not a JSON object, a duplicate key, a missing text field, a CSV
/// quote left open. Blank lines at the end of the input are not inputs; blank lines before other lines are (as errors).
/// </summary>
internal static class JobInputReader
{
    /// <summary>Lines longer than this (bytes) are errors; a text is at most <c>MaxCharsPerInput</c> anyway.</summary>
    public const int MaxLineBytes = 4 * 1024 * 1024;

    private static readonly JsonDocumentOptions JsonOptions = new() { AllowDuplicateProperties = false, MaxDepth = 16 };

    /// <summary>The inputs, in order.</summary>
    /// <param name="stream">The input's bytes (UTF-8, an optional BOM).</param>
    /// <param name="format"><c>jsonl</c>, <c>csv</c> or <c>txt</c>.</param>
    /// <param name="idField">The id field or column.</param>
    /// <param name="textField">The text field or column.</param>
    /// <param name="pairField">For text pairs: the second text's field or column; null for single texts.</param>
    /// <param name="counts">Receives the physical lines read.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <exception cref="ClassifierException">InvalidInput: a CSV header without the text column (the whole job can never succeed).</exception>
    public static IAsyncEnumerable<JobLine> ReadAsync(
        Stream stream, string format, string idField, string textField, string? pairField, InputCounts counts, CancellationToken cancellationToken)
    {
        var lines = ReadNonTrailingBlankLinesAsync(new Utf8LineReader(stream, MaxLineBytes), counts, cancellationToken);
        return format switch
        {
            "jsonl" => ReadJsonLinesAsync(lines, idField, textField, pairField, cancellationToken),
            "csv" => ReadCsvAsync(lines, idField, textField, pairField, cancellationToken),
            _ => ReadTextAsync(lines, cancellationToken),
        };
    }

    private static async IAsyncEnumerable<JobLine> ReadTextAsync(IAsyncEnumerable<RawLine> lines, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var line in lines.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return new JobLine(line.Number, JsonValue.Create(line.Number), line.Text, line.Error);
        }
    }

    private static async IAsyncEnumerable<JobLine> ReadJsonLinesAsync(
        IAsyncEnumerable<RawLine> lines, string idField, string textField, string? pairField, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var line in lines.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return ParseJsonLine(line, idField, textField, pairField);
        }
    }

    private static JobLine ParseJsonLine(RawLine line, string idField, string textField, string? pairField)
    {
        if (line.Text is null)
        {
            return new JobLine(line.Number, null, null, line.Error);
        }

        if (line.IsBlank)
        {
            return new JobLine(line.Number, null, null, "the line is blank; expected a JSON object");
        }

        JsonObject? item;
        try
        {
            item = JsonNode.Parse(line.Text, documentOptions: JsonOptions) as JsonObject;
        }
        catch (InvalidOperationException exception)
        {
            // NOTE: the duplicate-key check decodes every key and throws this for a key that is not valid Unicode.
            return new JobLine(line.Number, null, null, $"the line has a key that is not valid Unicode ({exception.Message})");
        }
        catch (JsonException exception)
        {
            return new JobLine(line.Number, null, null, exception.Message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase)
                ? $"the line has a duplicate key ({exception.Message})"
                : $"the line is not valid JSON: {exception.Message}");
        }

        if (item is null)
        {
            return new JobLine(line.Number, null, null, "the line is not a JSON object");
        }

        var id = item[idField]?.DeepClone();
        var (text, error) = StringField(item, textField);
        var (pair, pairError) = pairField is null ? (null, null) : StringField(item, pairField);
        var problem = error ?? pairError;
        return problem is null ? new JobLine(line.Number, id, text, null, pair) : new JobLine(line.Number, id, null, problem);
    }

    private static (string? Value, string? Error) StringField(JsonObject item, string field)
    {
        if (item[field] is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
        {
            return (null, $"the line has no string field '{field}'");
        }

        try
        {
            return (value.GetValue<string>(), null);
        }
        catch (InvalidOperationException)
        {
            return (null, $"field '{field}' is not valid Unicode (a \\u escape of a lone surrogate); escape surrogates only in high-low pairs");
        }
    }

    private static async IAsyncEnumerable<JobLine> ReadCsvAsync(
        IAsyncEnumerable<RawLine> lines, string idField, string textField, string? pairField, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pending = new List<RawLine>();
        int textIndex = -1, idIndex = -1, pairIndex = -1;
        var header = true;
        await using var enumerator = lines.GetAsyncEnumerator(cancellationToken);
        var endOfInput = false;
        while (true)
        {
            if (!endOfInput && pending.Count < CsvRecordParser.MaxRecordLines)
            {
                if (await enumerator.MoveNextAsync().ConfigureAwait(false))
                {
                    pending.Add(enumerator.Current);
                }
                else
                {
                    endOfInput = true;
                }
            }

            while (pending.Count > 0)
            {
                var (fields, consumed, error) = CsvRecordParser.Parse(pending, 0, endOfInput || pending.Count >= CsvRecordParser.MaxRecordLines);
                if (consumed == 0)
                {
                    break; // A quoted field continues on lines not read yet.
                }

                var first = pending[0];
                pending.RemoveRange(0, consumed);
                if (header)
                {
                    header = false;
                    var columns = fields ?? throw Reject($"The CSV header (line 1) cannot be read: {error}.");
                    textIndex = columns.IndexOf(textField);
                    idIndex = columns.IndexOf(idField);
                    if (textIndex < 0)
                    {
                        throw Reject($"The CSV header has columns [{string.Join(", ", columns)}] but no '{textField}'; add it or set textField in the message.");
                    }

                    pairIndex = pairField is null ? -1 : columns.IndexOf(pairField);
                    if (pairField is not null && pairIndex < 0)
                    {
                        throw Reject($"The CSV header has columns [{string.Join(", ", columns)}] but no '{pairField}' (the message's pairField); add it or correct pairField.");
                    }

                    continue;
                }

                var needed = Math.Max(textIndex, pairIndex);
                yield return fields is null
                    ? new JobLine(first.Number, null, null, error)
                    : needed < fields.Count
                        ? new JobLine(
                            first.Number, idIndex >= 0 && idIndex < fields.Count ? JsonValue.Create(fields[idIndex]) : null, fields[textIndex], null, pairIndex >= 0 ? fields[pairIndex] : null)
                        : new JobLine(first.Number, null, null, $"the row has {fields.Count} columns; '{(needed == textIndex ? textField : pairField)}' is column {needed + 1}");
            }

            if (endOfInput && pending.Count == 0)
            {
                if (header)
                {
                    throw Reject($"The CSV input is empty; it needs a header row with a '{textField}' column.");
                }

                yield break;
            }
        }
    }

    /// <summary>The physical lines, less the blank lines at the end of the input (held back until a line follows).</summary>
    private static async IAsyncEnumerable<RawLine> ReadNonTrailingBlankLinesAsync(Utf8LineReader reader, InputCounts counts, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var blanks = new List<RawLine>();
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.IsBlank)
            {
                blanks.Add(line);
                continue;
            }

            foreach (var blank in blanks)
            {
                counts.Lines++;
                yield return blank;
            }

            blanks.Clear();
            counts.Lines++;
            yield return line;
        }

        counts.TrailingBlankLines = blanks.Count;
    }

    private static ClassifierException Reject(string message) => new(ClassifierErrorKind.InvalidInput, message);
}

/// <summary>What the reader saw beyond the inputs it yielded.</summary>
internal sealed class InputCounts
{
    /// <summary>Physical lines passed on (the CSV header included; trailing blank lines not).</summary>
    public long Lines { get; set; }

    /// <summary>Blank lines at the end of the input, which are not inputs.</summary>
    public long TrailingBlankLines { get; set; }
}
