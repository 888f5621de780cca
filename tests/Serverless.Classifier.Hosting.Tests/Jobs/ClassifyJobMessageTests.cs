using Serverless.Classifier.Hosting.Jobs;

namespace Serverless.Classifier.Hosting.Tests.Jobs;

public sealed class ClassifyJobMessageTests
{
    private static readonly JobOptions Options = new();

    [Theory]
    [InlineData("inputs/a.jsonl", "jsonl")]
    [InlineData("inputs/dir/b.CSV", "csv")]
    [InlineData("inputs/c.txt", "txt")]
    [InlineData("inputs/d", "txt")]
    public void Parse_ValidMessage_ResolvesTheFormatFromTheExtension(string input, string format)
    {
        var message = ClassifyJobMessage.Parse($"{{\"input\":\"{input}\",\"output\":\"outputs/x.jsonl\"}}", Options);

        Assert.Equal(format, message.ResolvedFormat);
        Assert.Equal(("outputs", "x.jsonl"), ClassifyJobMessage.Split(message.Output));
    }

    [Theory]
    [InlineData("{oops", "The message is not valid JSON")]
    [InlineData("null", "needs \"input\" and \"output\" blob paths")]
    [InlineData("{\"input\":\"inputs/a.jsonl\"}", "needs \"input\" and \"output\" blob paths")]
    [InlineData("{\"input\":\"inputs/../secret\",\"output\":\"outputs/x\"}", "input 'inputs/../secret' is not a blob path")]
    [InlineData("{\"input\":\"inputs/a\",\"output\":\"outputs//x\"}", "output 'outputs//x' is not a blob path")]
    [InlineData("{\"input\":\"inputs\",\"output\":\"outputs/x\"}", "input 'inputs' is not a blob path")]
    [InlineData("{\"input\":\"models/m/latest.json\",\"output\":\"outputs/x\"}", "input 'models/m/latest.json' is in container 'models'; jobs may use [inputs] for input")]
    [InlineData("{\"input\":\"inputs/a\",\"output\":\"inputs/b\"}", "output 'inputs/b' is in container 'inputs'; jobs may use [outputs] for output")]
    [InlineData("{\"input\":\"inputs/a\",\"output\":\"outputs/b\",\"format\":\"xml\"}", "format 'xml' is not supported")]
    public void Parse_MessageThatCanNeverSucceed_IsInvalidInputSayingWhy(string text, string reason)
    {
        var exception = Assert.Throws<ClassifierException>(() => ClassifyJobMessage.Parse(text, Options));

        Assert.Equal(ClassifierErrorKind.InvalidInput, exception.Kind);
        Assert.Contains(reason, exception.Message, StringComparison.Ordinal);
    }
}
