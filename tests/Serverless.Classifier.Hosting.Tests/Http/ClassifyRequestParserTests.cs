using System.Text;
using Serverless.Classifier.Hosting.Http;
using Serverless.Classifier.Model;

namespace Serverless.Classifier.Hosting.Tests.Http;

public sealed class ClassifyRequestParserTests
{
    [Fact]
    public void Parse_AllParameters_SplitsEngineRequestFromPresentation()
    {
        var (request, topK, _) = ClassifyRequestParser.Parse(Encoding.UTF8.GetBytes(
            "{\"inputs\":[\"a\",\"b\"],\"parameters\":{\"top_k\":1,\"function_to_apply\":\"none\",\"truncation\":false,\"head\":\"h\"}}"));

        Assert.Equal(["a", "b"], request.Texts);
        Assert.Equal((1, Activation.None, false, "h"), (topK, request.FunctionToApply, request.Truncation, request.Head));
    }

    [Theory]
    [InlineData("left", TruncationDirection.Left)]
    [InlineData("Left", TruncationDirection.Left)]
    [InlineData("right", TruncationDirection.Right)]
    public void Parse_TruncationDirection_IsReadInAnyCase(string value, TruncationDirection expected)
    {
        var (request, _, _) = ClassifyRequestParser.Parse(Encoding.UTF8.GetBytes($"{{\"inputs\":\"x\",\"parameters\":{{\"truncation_direction\":\"{value}\"}}}}"));

        Assert.Equal(expected, request.TruncationDirection);
    }

    [Theory]
    [InlineData("{\"inputs\":\"x\",\"parameters\":{\"truncation_direction\":\"middle\"}}", "parameters.truncation_direction", "parameters.truncation_direction must be \"right\" (keep the start of an over-long input) or \"left\" (keep its end).")]
    [InlineData("{\"inputs\":\"x\",\"parameters\":{\"truncation_direction\":\"1\"}}", "parameters.truncation_direction", "parameters.truncation_direction must be \"right\" (keep the start of an over-long input) or \"left\" (keep its end).")]
    [InlineData("{\"inputs\":\"x\",\"parameters\":{\"truncation_direction\":true}}", "parameters.truncation_direction", "parameters.truncation_direction must be \"right\" (keep the start of an over-long input) or \"left\" (keep its end).")]
    [InlineData("{\"inputs\":\"x\",\"parameters\":{\"top_k\":0}}", "parameters.top_k", "parameters.top_k is 0; it must be at least 1.")]
    [InlineData("{\"inputs\":\"x\",\"parameters\":{\"top_k\":\"2\"}}", "parameters.top_k", "parameters.top_k must be a whole number of labels, at least 1.")]
    public void Parse_BadTopK_IsInvalidInputNamingTheField(string body, string field, string message)
    {
        var exception = Assert.Throws<ClassifierException>(() => ClassifyRequestParser.Parse(Encoding.UTF8.GetBytes(body)));

        Assert.Equal((ClassifierErrorKind.InvalidInput, field, message), (exception.Kind, exception.Field, exception.Message));
    }
}
