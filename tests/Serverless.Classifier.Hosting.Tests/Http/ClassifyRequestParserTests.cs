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
    [InlineData("{\"inputs\":\"x\",\"parameters\":{\"chunking\":1}}", "parameters.chunking", "parameters.chunking must be true or false.")]
    [InlineData("{\"inputs\":\"x\",\"parameters\":{\"chunking\":true,\"chunk_stride\":-1}}", "parameters.chunk_stride", "parameters.chunk_stride must be a whole number of word pieces shared by consecutive windows, at least 0 (default: a quarter of a window).")]
    [InlineData("{\"inputs\":\"x\",\"parameters\":{\"chunking\":true,\"chunk_size\":2}}", "parameters.chunk_size", "parameters.chunk_size must be a whole number of tokens per window, [CLS] and [SEP] included: at least 3 and at most the model's maximum length (the default).")]
    [InlineData("{\"inputs\":\"x\",\"parameters\":{\"chunking\":true,\"chunk_aggregate\":\"sum\"}}", "parameters.chunk_aggregate", "parameters.chunk_aggregate must be \"mean\" (the windows' mean score: what the document says overall) or \"max\" (their highest: whether any part says it).")]
    [InlineData("{\"inputs\":\"x\",\"parameters\":{\"chunking\":true,\"return_chunks\":\"yes\"}}", "parameters.return_chunks", "parameters.return_chunks must be true or false.")]
    [InlineData("{\"inputs\":\"x\",\"parameters\":{\"return_chunks\":true}}", "parameters.return_chunks", "parameters.return_chunks applies only with parameters.chunking: true; add it, or drop parameters.return_chunks.")]
    [InlineData("{\"inputs\":\"x\",\"parameters\":{\"chunking\":false,\"chunk_stride\":8}}", "parameters.chunk_stride", "parameters.chunk_stride applies only with parameters.chunking: true; add it, or drop parameters.chunk_stride.")]
    public void Parse_BadTopK_IsInvalidInputNamingTheField(string body, string field, string message)
    {
        var exception = Assert.Throws<ClassifierException>(() => ClassifyRequestParser.Parse(Encoding.UTF8.GetBytes(body)));

        Assert.Equal((ClassifierErrorKind.InvalidInput, field, message), (exception.Kind, exception.Field, exception.Message));
    }

    [Fact]
    public void Parse_Chunking_ReadsEveryShapingParameterInAnyOrder()
    {
        var (request, _, _) = ClassifyRequestParser.Parse(Encoding.UTF8.GetBytes(
            "{\"inputs\":\"x\",\"parameters\":{\"return_chunks\":true,\"chunk_aggregate\":\"max\",\"chunk_stride\":32,\"chunk_size\":128,\"chunking\":true}}"));
        var (plain, _, _) = ClassifyRequestParser.Parse(Encoding.UTF8.GetBytes("{\"inputs\":\"x\",\"parameters\":{\"chunking\":false}}"));

        Assert.Equal(new Chunking { Size = 128, Stride = 32, Aggregate = ChunkAggregate.Max, ReturnChunks = true }, request.Chunking);
        Assert.Null(plain.Chunking);
    }
}
