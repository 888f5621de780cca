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
    [InlineData("{\"inputs\":\"x\",\"parameters\":{\"top_k\":0}}", "parameters.top_k", "parameters.top_k is 0; it must be at least 1.")]
    [InlineData("{\"inputs\":\"x\",\"parameters\":{\"top_k\":\"2\"}}", "parameters.top_k", "parameters.top_k must be a whole number of labels, at least 1.")]
    public void Parse_BadTopK_IsInvalidInputNamingTheField(string body, string field, string message)
    {
        var exception = Assert.Throws<ClassifierException>(() => ClassifyRequestParser.Parse(Encoding.UTF8.GetBytes(body)));

        Assert.Equal((ClassifierErrorKind.InvalidInput, field, message), (exception.Kind, exception.Field, exception.Message));
    }
}
