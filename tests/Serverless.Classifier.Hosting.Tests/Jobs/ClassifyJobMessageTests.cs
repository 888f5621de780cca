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
    [InlineData("{\"input\":\"inputs/a\",\"output\":\"outputs/b\",\"text_field\":\"body\"}", "Unknown field 'text_field' (did you mean 'textField'?)")]
    [InlineData("{\"input\":\"inputs/a\",\"output\":\"outputs/b\",\"Head\":\"x\"}", "Unknown field 'Head' (did you mean 'head'?)")]
    [InlineData("{\"input\":\"inputs/a\",\"output\":\"outputs/b\",\"priority\":1}", "Unknown field 'priority'; a message has [input, output, head, format, idField, textField, jobId, truncationDirection, pairField, chunking, chunkSize, chunkStride, chunkAggregate]")]
    [InlineData("{\"input\":\"inputs/a.txt\",\"output\":\"outputs/b\",\"pairField\":\"hypothesis\"}", "pairField names the second text of a pair in JSON Lines or CSV input")]
    [InlineData("{\"input\":\"inputs/a.jsonl\",\"output\":\"outputs/b\",\"pairField\":\"hypothesis\",\"chunking\":true}", "pairField and chunking do not go together")]
    [InlineData("{\"input\":\"inputs/a.jsonl\",\"output\":\"outputs/b\",\"pairField\":\"\"}", "Field 'pairField' must have 1 to 256 characters.")]
    [InlineData("{\"input\":\"inputs/a\",\"output\":\"outputs/b\",\"chunking\":\"yes\"}", "Field 'chunking' must be true or false.")]
    [InlineData("{\"input\":\"inputs/a\",\"output\":\"outputs/b\",\"chunking\":true,\"chunkStride\":-1}", "Field 'chunkStride' must be a whole number of word pieces shared by consecutive windows, at least 0.")]
    [InlineData("{\"input\":\"inputs/a\",\"output\":\"outputs/b\",\"chunking\":true,\"chunkSize\":2.5}", "Field 'chunkSize' must be a whole number of tokens per window ([CLS] and [SEP] included), at least 3.")]
    [InlineData("{\"input\":\"inputs/a\",\"output\":\"outputs/b\",\"chunking\":true,\"chunkAggregate\":\"sum\"}", "chunkAggregate 'sum' is not supported; use \"mean\"")]
    [InlineData("{\"input\":\"inputs/a\",\"output\":\"outputs/b\",\"chunkStride\":10}", "Field 'chunkStride' applies only with \"chunking\": true")]
    [InlineData("{\"input\":\"inputs/a\",\"output\":\"outputs/b\",\"chunking\":false,\"chunkAggregate\":\"max\"}", "Field 'chunkAggregate' applies only with \"chunking\": true")]
    [InlineData("{\"input\":\"inputs/a\",\"input\":\"inputs/b\",\"output\":\"outputs/b\"}", "The message has a duplicate field")]
    [InlineData("{\"input\":\"inputs/a\",\"output\":\"outputs/b\",\"head\":5}", "Field 'head' must be a string.")]
    [InlineData("{\"input\":\"inputs/a\",\"output\":\"outputs/b\",\"head\":\"\"}", "Field 'head' must have 1 to 256 characters.")]
    [InlineData("{\"input\":\"inputs/a\",\"output\":\"outputs/b\",\"jobId\":\"\\ud800\"}", "Field 'jobId' is not valid Unicode.")]
    [InlineData("{\"input\":\"inputs/a\\u0000b\",\"output\":\"outputs/b\"}", "is not a blob path; expected '<container>/<blob>' without '..', empty segments or control characters")]
    [InlineData("{\"\\udc00\":1,\"input\":\"inputs/a\",\"output\":\"outputs/b\"}", "field name that is not valid Unicode")]
    [InlineData("{\"input\":\"inputs/a\",\"output\":\"outputs/b\",\"truncationDirection\":\"middle\"}", "truncationDirection 'middle' is not supported; use \"right\"")]
    [InlineData("[1,2]", "needs \"input\" and \"output\" blob paths")]
    [InlineData("{\"input\":{\"a\":1},\"output\":\"outputs/b\"}", "Field 'input' must be a string.")]
    public void Parse_MessageThatCanNeverSucceed_IsInvalidInputSayingWhy(string text, string reason)
    {
        var exception = Assert.Throws<ClassifierException>(() => ClassifyJobMessage.Parse(text, Options));

        Assert.Equal(ClassifierErrorKind.InvalidInput, exception.Kind);
        Assert.Contains(reason, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Chunking_ReadsSizeStrideAndAggregate()
    {
        var message = ClassifyJobMessage.Parse(
            "{\"input\":\"inputs/a\",\"output\":\"outputs/b\",\"chunking\":true,\"chunkSize\":128,\"chunkStride\":16,\"chunkAggregate\":\"max\"}", Options);
        var plain = ClassifyJobMessage.Parse("{\"input\":\"inputs/a\",\"output\":\"outputs/b\",\"chunking\":false}", Options);

        Assert.Equal(new Chunking { Size = 128, Stride = 16, Aggregate = ChunkAggregate.Max }, message.Chunking);
        Assert.Null(plain.Chunking);
    }

    [Fact]
    public void Parse_BlobNameOverTheStorageLimit_IsRejectedWithTheLimit()
    {
        var input = "inputs/" + new string('a', 1_025);
        var output = "outputs/" + new string('b', 1_011);

        var inputError = Assert.Throws<ClassifierException>(() => ClassifyJobMessage.Parse($"{{\"input\":\"{input}\",\"output\":\"outputs/x\"}}", Options));
        var outputError = Assert.Throws<ClassifierException>(() => ClassifyJobMessage.Parse($"{{\"input\":\"inputs/a\",\"output\":\"{output}\"}}", Options));

        Assert.Equal("input has a blob name of 1025 characters; Azure Storage allows 1024 here. Use a shorter name.", inputError.Message);
        Assert.Equal("output has a blob name of 1011 characters; Azure Storage allows 1010 here. Use a shorter name.", outputError.Message);
    }

    [Theory]
    [InlineData("{\"input\":\"inputs/a\",\"output\":\"outputs/b\"}")]
    [InlineData("eyJpbnB1dCI6ImlucHV0cy9hIiwib3V0cHV0Ijoib3V0cHV0cy9iIn0=")]
    [InlineData("  eyJpbnB1dCI6ImlucHV0cy9hIiwib3V0cHV0Ijoib3V0cHV0cy9iIn0=\n")]
    public void Decode_JsonOrItsBase64_GivesTheJson(string queued)
    {
        var message = ClassifyJobMessage.Parse(ClassifyJobMessage.Decode(queued), Options);

        Assert.Equal(("inputs/a", "outputs/b"), (message.Input, message.Output));
    }

    [Theory]
    [InlineData("not base64 at all!", "The message is neither JSON nor base64")]
    [InlineData("//79", "what it encodes is not UTF-8 text")]
    public void Decode_NeitherJsonNorBase64_IsInvalidInputSayingWhy(string queued, string reason)
    {
        var exception = Assert.Throws<ClassifierException>(() => ClassifyJobMessage.Decode(queued));

        Assert.Equal(ClassifierErrorKind.InvalidInput, exception.Kind);
        Assert.Contains(reason, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MessageTextWithALoneSurrogate_IsRejected()
    {
        // Built in code: xunit's test-case serialization would replace a lone surrogate in InlineData.
        var text = "{\"input\":\"inputs/a\",\"output\":\"outputs/b\",\"jobId\":\"" + '\ud800' + "\"}";

        var exception = Assert.Throws<ClassifierException>(() => ClassifyJobMessage.Parse(text, Options));

        Assert.Equal("The message is not valid Unicode (it has a lone surrogate); send UTF-8 JSON.", exception.Message);
    }
}
