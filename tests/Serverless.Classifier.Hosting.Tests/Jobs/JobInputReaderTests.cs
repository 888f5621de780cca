using Serverless.Classifier.Hosting.Jobs;

namespace Serverless.Classifier.Hosting.Tests.Jobs;

public sealed class JobInputReaderTests
{
    private static async Task<List<JobLine>> ReadAsync(string content, string format, string idField = "id", string textField = "text")
    {
        var lines = new List<JobLine>();
        await foreach (var line in JobInputReader.ReadAsync(new StringReader(content), format, idField, textField, TestContext.Token))
        {
            lines.Add(line);
        }

        return lines;
    }

    [Fact]
    public async Task JsonLines_KeepsIdsAsGivenAndTurnsBadLinesIntoErrors()
    {
        var lines = await ReadAsync("{\"id\":7,\"text\":\"a\"}\n{\"id\":\"x\",\"text\":\"b\"}\n[1]\n{bad\n{\"id\":9}\n{\"text\":\"no id\"}\n", "jsonl");

        Assert.Equal(["7", "\"x\"", "3", "4", "9", "6"], lines.Select(l => l.Id!.ToJsonString()));
        Assert.Equal(["a", "b", null, null, null, "no id"], lines.Select(l => l.Text));
        Assert.Equal("the line is not a JSON object", lines[2].Error);
        Assert.StartsWith("the line is not valid JSON: ", lines[3].Error, StringComparison.Ordinal);
        Assert.Equal("the line has no string field 'text'", lines[4].Error);
    }

    [Fact]
    public async Task Csv_HandlesQuotesCommasAndNewlinesInFields()
    {
        var lines = await ReadAsync("review,body\r\nr1,\"Good, really\"\r\nr2,\"Two\nlines\"\r\nr3,\"He said \"\"no\"\"\"\r\n", "csv", idField: "review", textField: "body");

        Assert.Equal(["\"r1\"", "\"r2\"", "\"r3\""], lines.Select(l => l.Id!.ToJsonString()));
        Assert.Equal(["Good, really", "Two\nlines", "He said \"no\""], lines.Select(l => l.Text));
    }

    [Fact]
    public async Task Csv_WithoutTheTextColumn_IsInvalidInputNamingTheColumns()
    {
        var exception = await Assert.ThrowsAsync<ClassifierException>(() => ReadAsync("id,body\n1,x\n", "csv"));

        Assert.Equal(ClassifierErrorKind.InvalidInput, exception.Kind);
        Assert.Contains("has columns [id, body] but no 'text'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Text_NumbersLinesFromOneAndKeepsEmptyLines()
    {
        var lines = await ReadAsync("first\n\nthird", "txt");

        Assert.Equal(["1", "2", "3"], lines.Select(l => l.Id!.ToJsonString()));
        Assert.Equal(["first", "", "third"], lines.Select(l => l.Text));
    }
}
