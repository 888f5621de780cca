using System.Text;
using CsCheck;
using Serverless.Classifier.Hosting.Http;
using Serverless.Classifier.Hosting.Jobs;

namespace Serverless.Classifier.Hosting.Tests.Http;

/// <summary>On any bytes or text, the request parsers answer with a parsed request or the engine's own error, nothing else.</summary>
public sealed class ClassifyRequestParserPropertyTests
{
    // Characters that stress decoders and parsers: JSON syntax, escapes, surrogates (alone too), controls, BOM, astral.
    private static readonly Gen<char> Tricky = Gen.OneOf(
        Gen.Char['\0', '\u007f'],
        Gen.OneOf<char>('"', '\\', '{', '}', '[', ']', ':', ',', 'u', 'd', '8', '0', '\uFEFF', '\uFFFF', '\u2028', '\u0085'),
        Gen.Char['\uD800', '\uDFFF'],
        Gen.Char);

    private static readonly Gen<string> TrickyString = Tricky.Array[0, 40].Select(chars => new string(chars));

    [Fact]
    public void Parse_AnyBytes_ReturnsOrThrowsOnlyInvalidInput() =>
        Gen.Byte.Array[0, 300].Sample(bytes => ParsesOrRefuses(bytes), iter: 20_000);

    [Fact]
    public void Parse_AnyInputsString_ReturnsOrThrowsOnlyInvalidInput() =>
        Gen.Select(TrickyString, TrickyString, Gen.Bool).Sample(
            (text, key, asArray) =>
            {
                // Escaped as JSON would be written by hand: quotes and backslashes kept raw half of the time.
                var body = asArray ? $"{{\"inputs\":[\"ok\",\"{text}\"],\"{key}\":1}}" : $"{{\"inputs\":\"{text}\",\"parameters\":{{\"{key}\":\"{text}\"}}}}";
                ParsesOrRefuses(Encoding.UTF8.GetBytes(body));
                ParsesOrRefuses(new UTF8Encoding(false, false).GetBytes(body));
            },
            iter: 20_000);

    [Fact]
    public void JobMessage_AnyText_ParsesOrIsRejected() =>
        Gen.OneOf(TrickyString, Gen.String, TrickyString.Select(s => $"{{\"input\":\"inputs/{s}\",\"output\":\"outputs/x\",\"{s}\":\"{s}\"}}")).Sample(
            text =>
            {
                try
                {
                    ClassifyJobMessage.Parse(ClassifyJobMessage.Decode(text), new JobOptions());
                }
                catch (ClassifierException exception) when (exception.Kind == ClassifierErrorKind.InvalidInput)
                {
                }
            },
            iter: 20_000);

    [Fact]
    public async Task JobInput_AnyBytes_YieldsLinesOrRejectsOnlyACsvHeader()
    {
        await Gen.Select(Gen.Byte.Array[0, 400], Gen.OneOf("jsonl", "csv", "txt")).SampleAsync(
            async (bytes, format) =>
            {
                try
                {
                    await foreach (var line in JobInputReader.ReadAsync(new MemoryStream(bytes), format, "id", "text", null, new InputCounts(), TestContext.Token))
                    {
                        Assert.True(line.Text is not null ^ line.Error is not null, "a line has a text or an error, never both or neither");
                        Assert.True(line.Line >= 1);
                    }
                }
                catch (ClassifierException exception) when (format == "csv" && exception.Kind == ClassifierErrorKind.InvalidInput)
                {
                }
            },
            iter: 5_000);
    }

    private static void ParsesOrRefuses(byte[] body)
    {
        try
        {
            var parsed = ClassifyRequestParser.Parse(body);
            Assert.NotEmpty(parsed.Request.Texts);
        }
        catch (ClassifierException exception) when (exception.Kind == ClassifierErrorKind.InvalidInput)
        {
            Assert.NotNull(exception.Field);
        }
    }
}
