using System.Text;

namespace Serverless.Classifier.Hosting.Jobs;

/// <summary>
/// RFC 4180 records over physical lines: fields separated by commas; a field that starts with a quote runs to the
/// next lone quote (<c>""</c> is a quote inside it) and may span lines. A quote after a field's closing quote, or a
/// quoted field still open at the end of the input (or after <see cref="MaxRecordLines"/> lines), makes the record an
/// error that names its first line; parsing then starts again on the line after it, so one stray quote costs one
/// output line and never swallows the rows after it.
/// </summary>
/// <remarks>Written here rather than with Sep (used before): Sep reads an unterminated quote to the end of the input
/// without an error, which lost every later row silently, and it reads a TextReader, whose decoding cannot report
/// invalid UTF-8 per line.</remarks>
internal sealed class CsvRecordParser
{
    /// <summary>Lines one quoted field may span before the record is taken for an unterminated quote.</summary>
    public const int MaxRecordLines = 1_000;

    /// <summary>Parses one record from <paramref name="lines"/>, starting at <paramref name="start"/>.</summary>
    /// <returns>The fields and how many lines the record used; or an error (consumed is then 1).</returns>
    public static (List<string>? Fields, int Consumed, string? Error) Parse(IReadOnlyList<RawLine> lines, int start, bool endOfInput)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var afterClosingQuote = false;
        for (var index = start; index < lines.Count; index++)
        {
            var line = lines[index];
            if (line.Text is null)
            {
                return (null, 1, quoted ? $"a quoted field opened on line {lines[start].Number} runs into line {line.Number}, which cannot be read ({line.Error})" : line.Error);
            }

            var text = line.Text;
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (quoted)
                {
                    if (c != '"')
                    {
                        field.Append(c);
                    }
                    else if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else
                    {
                        quoted = false;
                        afterClosingQuote = true;
                    }
                }
                else if (c == ',')
                {
                    fields.Add(field.ToString());
                    field.Clear();
                    afterClosingQuote = false;
                }
                else if (afterClosingQuote)
                {
                    return (null, 1, $"field {fields.Count + 1} has text after its closing quote (column {i + 1} of line {line.Number}); quote the whole field and double the quotes inside it");
                }
                else if (c == '"' && field.Length == 0)
                {
                    quoted = true;
                }
                else
                {
                    field.Append(c);
                }
            }

            if (!quoted)
            {
                fields.Add(field.ToString());
                return (fields, index - start + 1, null);
            }

            if (index - start + 1 >= MaxRecordLines)
            {
                return (null, 1, $"the quoted field {fields.Count + 1} opened on line {lines[start].Number} is still open after {MaxRecordLines} lines; close the quote");
            }

            field.Append('\n');
        }

        return endOfInput
            ? (null, 1, $"the quoted field {fields.Count + 1} opened on line {lines[start].Number} is never closed (unterminated quote); close the quote")
            : (null, 0, null);
    }
}
