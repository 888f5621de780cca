using System.Text;
using Serverless.Classifier.Hosting.Jobs;

namespace Serverless.Classifier.Hosting.Tests.Jobs;

public sealed class JobInputReaderTests
{
    private static Task<(List<JobLine> Lines, InputCounts Counts)> ReadAsync(string content, string format, string idField = "id", string textField = "text", string? pairField = null) =>
        ReadAsync(Encoding.UTF8.GetBytes(content), format, idField, textField, pairField);

    private static async Task<(List<JobLine> Lines, InputCounts Counts)> ReadAsync(byte[] content, string format, string idField = "id", string textField = "text", string? pairField = null)
    {
        var lines = new List<JobLine>();
        var counts = new InputCounts();
        await foreach (var line in JobInputReader.ReadAsync(new MemoryStream(content), format, idField, textField, pairField, counts, TestContext.Token))
        {
            lines.Add(line);
        }

        return (lines, counts);
    }

    [Fact]
    public async Task JsonLines_KeepsIdsAsGivenAndTurnsBadLinesIntoErrorsWithTheirLineNumbers()
    {
        var (lines, _) = await ReadAsync("{\"id\":7,\"text\":\"a\"}\n{\"id\":\"x\",\"text\":\"b\"}\n[1]\n{bad\n{\"id\":9}\n{\"text\":\"no id\"}\n", "jsonl");

        Assert.Equal([1, 2, 3, 4, 5, 6], lines.Select(l => l.Line));
        Assert.Equal(["7", "\"x\"", null, null, "9", null], lines.Select(l => l.Id?.ToJsonString()));
        Assert.Equal(["a", "b", null, null, null, "no id"], lines.Select(l => l.Text));
        Assert.Equal("the line is not a JSON object", lines[2].Error);
        Assert.StartsWith("the line is not valid JSON: ", lines[3].Error, StringComparison.Ordinal);
        Assert.Equal("the line has no string field 'text'", lines[4].Error);
    }

    [Fact]
    public async Task PairField_JsonLines_ReadsBothTextsAndALineWithoutThePairIsAnError()
    {
        var (lines, _) = await ReadAsync("{\"id\":1,\"premise\":\"a\",\"hypothesis\":\"b\"}\n{\"id\":2,\"premise\":\"c\"}\n{\"id\":3,\"premise\":\"d\",\"hypothesis\":4}\n", "jsonl", textField: "premise", pairField: "hypothesis");

        Assert.Equal([("a", "b", null), (null, null, "the line has no string field 'hypothesis'"), (null, null, "the line has no string field 'hypothesis'")], lines.Select(l => (l.Text, l.Pair, l.Error)));
    }

    [Fact]
    public async Task PairField_NotValidUnicodeOrHugeOrEmpty_IsThatLinesErrorOrTextForTheLimitsCheck()
    {
        var huge = new string('b', 50_000);
        var (lines, _) = await ReadAsync($"{{\"a\":\"x\",\"b\":\"\\ud800\"}}\n{{\"a\":\"x\",\"b\":\"\"}}\n{{\"a\":\"x\",\"b\":\"{huge}\"}}\n", "jsonl", textField: "a", pairField: "b");

        Assert.Equal("field 'b' is not valid Unicode (a \\u escape of a lone surrogate); escape surrogates only in high-low pairs", lines[0].Error);
        // Empty and huge second texts are read as they are; the job's per-text limits then make them error lines.
        Assert.Equal([("x", ""), ("x", huge)], lines.Skip(1).Select(l => (l.Text!, l.Pair!)));
    }

    [Fact]
    public async Task PairField_Csv_ReadsTheColumn_AndAHeaderWithoutItRejectsTheJob()
    {
        var (lines, _) = await ReadAsync("id,premise,hypothesis\n1,a,b\n2,c\n", "csv", textField: "premise", pairField: "hypothesis");
        var exception = await Assert.ThrowsAsync<ClassifierException>(() => ReadAsync("id,premise\n1,a\n", "csv", textField: "premise", pairField: "hypothesis"));

        Assert.Equal([("a", "b", null), (null, null, "the row has 2 columns; 'hypothesis' is column 3")], lines.Select(l => (l.Text, l.Pair, l.Error)));
        Assert.Equal("The CSV header has columns [id, premise] but no 'hypothesis' (the message's pairField); add it or correct pairField.", exception.Message);
    }

    [Fact]
    public async Task Csv_HandlesQuotesCommasAndNewlinesInFields()
    {
        var (lines, counts) = await ReadAsync("review,body\r\nr1,\"Good, really\"\r\nr2,\"Two\nlines\"\r\nr3,\"He said \"\"no\"\"\"\r\n", "csv", idField: "review", textField: "body");

        Assert.Equal(["\"r1\"", "\"r2\"", "\"r3\""], lines.Select(l => l.Id!.ToJsonString()));
        Assert.Equal(["Good, really", "Two\nlines", "He said \"no\""], lines.Select(l => l.Text));
        Assert.Equal([2, 3, 5], lines.Select(l => l.Line));
        Assert.Equal(5, counts.Lines);
    }

    [Fact]
    public async Task Csv_WithoutTheTextColumn_IsInvalidInputNamingTheColumns()
    {
        var exception = await Assert.ThrowsAsync<ClassifierException>(() => ReadAsync("id,body\n1,x\n", "csv"));

        Assert.Equal(ClassifierErrorKind.InvalidInput, exception.Kind);
        Assert.Contains("has columns [id, body] but no 'text'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Text_NumbersLinesFromOneAndPassesBlankLinesBeforeOthers()
    {
        var (lines, _) = await ReadAsync("first\n\nthird", "txt");

        Assert.Equal(["1", "2", "3"], lines.Select(l => l.Id!.ToJsonString()));
        Assert.Equal(["first", "", "third"], lines.Select(l => l.Text));
    }

    public static TheoryData<string, string, string[]> BadInputs => new()
    {
        // format, content, expected per output line: "text" for a text, "!fragment" for an error containing fragment.
        { "jsonl", "{\"text\":\"a\"}\n\n\n", ["a"] },
        { "jsonl", "{\"text\":\"a\"}\n   \n{\"text\":\"b\"}\n", ["a", "!the line is blank", "b"] },
        { "jsonl", "{\"text\":\"a\",\"text\":\"b\"}\n{\"text\":\"c\"}\n", ["!duplicate key", "c"] },
        { "jsonl", "{\"text\":\"\\ud800\"}\n{\"text\":\"ok\"}\n", ["!is not valid Unicode", "ok"] },
        { "jsonl", "{\"text\":\"\\udc00\\ud800\"}\n", ["!is not valid Unicode"] },
        { "jsonl", "{\"text\":5}\n", ["!no string field 'text'"] },
        { "jsonl", "{\"\\ud800\":1,\"text\":\"a\"}\n{\"text\":\"b\"}\n", ["!key that is not valid Unicode", "b"] },
        { "jsonl", "{\"text\":null}\n", ["!no string field 'text'"] },
        { "jsonl", "{\"text\":[\"a\"]}\n", ["!no string field 'text'"] },
        { "jsonl", "\"just a string\"\n", ["!not a JSON object"] },
        { "jsonl", "{\"text\":\"a\"} trailing\n", ["!not valid JSON"] },
        { "jsonl", "{\"text\":\"a\"\n", ["!not valid JSON"] },
        { "jsonl", new string('[', 100) + new string(']', 100) + "\n", ["!not valid JSON"] },
        { "jsonl", "{\"text\":\"a\"}\r\n{\"text\":\"b\"}\r\n", ["a", "b"] },
        { "jsonl", "\uFEFF{\"text\":\"bom\"}\n", ["bom"] },
        { "csv", "id,text\n1,\"open quote\n2,fine\n3,also fine\n", ["!never closed", "fine", "also fine"] },
        { "csv", "id,text\n1,\"a\"b\n2,c\n", ["!text after its closing quote", "c"] },
        { "csv", "id,text\n1,\"hello\n2,\"x\n3,ok\n", ["!text after its closing quote", "!never closed", "ok"] },
        { "csv", "id,text\n1\n2,b\n", ["!the row has 1 columns", "b"] },
        { "csv", "id,text\n1,a\n\n2,b\n\n\n", ["a", "!the row has 1 columns", "b"] },
        { "csv", "id,text,extra\n1,a,x,y\n", ["a"] },
        { "csv", "text\n5\" screen\n", ["5\" screen"] },
        { "txt", "a\n\u00ff\n", ["a", "\u00ff"] },
        { "txt", "a\r\nb\r\n\r\n", ["a", "b"] },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task BadLines_AreErrorsOfTheirOwnAndTheRestIsRead(string format, string content, string[] expected)
    {
        var (lines, _) = await ReadAsync(content, format);

        Assert.Equal(expected.Length, lines.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            if (expected[i].StartsWith('!'))
            {
                Assert.Null(lines[i].Text);
                Assert.Contains(expected[i][1..], lines[i].Error, StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal((expected[i], null), (lines[i].Text, lines[i].Error));
            }
        }
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0x0A, 0x6F, 0x6B }, "invalid byte sequence at byte 1")]
    [InlineData(new byte[] { 0xC0, 0xAF, 0x0A, 0x6F, 0x6B }, "invalid byte sequence at byte 1")]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80, 0x0A, 0x6F, 0x6B }, "invalid byte sequence at byte 1")]
    [InlineData(new byte[] { 0x61, 0xE2, 0x82, 0x0A, 0x6F, 0x6B }, "invalid byte sequence at byte 2")]
    public async Task Text_LineThatIsNotUtf8_IsAnErrorAndTheNextLineIsRead(byte[] content, string error)
    {
        var (lines, _) = await ReadAsync(content, "txt");

        Assert.Equal(2, lines.Count);
        Assert.Null(lines[0].Text);
        Assert.Contains(error, lines[0].Error, StringComparison.Ordinal);
        Assert.Equal("ok", lines[1].Text);
    }

    [Fact]
    public async Task Csv_QuotedFieldOverTheLineLimit_IsOneErrorAndTheRowsAfterItAreRead()
    {
        var content = "id,text\n1,\"" + string.Concat(Enumerable.Repeat("x\n", CsvRecordParser.MaxRecordLines + 5)) + "2,b\n";

        var (lines, _) = await ReadAsync(content, "csv");

        Assert.Contains("is still open after 1000 lines", lines[0].Error, StringComparison.Ordinal);
        Assert.Equal("b", lines[^1].Text);
    }

    [Fact]
    public async Task Text_LineOverTheByteLimit_IsSkippedWithAnError()
    {
        var content = "a\n" + new string('x', JobInputReader.MaxLineBytes + 10) + "\nb\n";

        var (lines, counts) = await ReadAsync(content, "txt");

        Assert.Equal(["a", null, "b"], lines.Select(l => l.Text));
        Assert.Equal($"the line is longer than {JobInputReader.MaxLineBytes} bytes; it was skipped", lines[1].Error);
        Assert.Equal(3, counts.Lines);
    }

    [Fact]
    public async Task TrailingBlankLines_AreNotInputsButAreCounted()
    {
        var (lines, counts) = await ReadAsync("a\nb\n\n  \n", "txt");

        Assert.Equal(["a", "b"], lines.Select(l => l.Text));
        Assert.Equal((2, 2), (counts.Lines, counts.TrailingBlankLines));
    }
}
