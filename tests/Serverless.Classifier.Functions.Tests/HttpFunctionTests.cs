using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Serverless.Classifier.Hosting.Http;

using static Serverless.Classifier.Functions.Tests.TestHttp;

namespace Serverless.Classifier.Functions.Tests;

public sealed class HttpFunctionTests
{
    private readonly FakeTextClassifier _classifier = new() { Manifest = FakeTextClassifier.SampleManifest() };

    private ClassifierHttpApi Api(int maxBodyBytes = 1_048_576) =>
        new(_classifier, Options.Create(new ClassifierOptions { MaxRequestBodyBytes = maxBodyBytes }), NullLogger<ClassifierHttpApi>.Instance);

    [Fact]
    public async Task ClassifyHttp_ValidBody_Returns200WithOneEntryPerInputAndTimingHeaders()
    {
        var context = Request("{\"inputs\":[\"I love it\",\"meh\"],\"parameters\":{\"top_k\":1,\"function_to_apply\":\"sigmoid\",\"truncation\":false,\"head\":\"sentiment\"}}");

        var result = await new ClassifyHttp(Api()).Run(context.Request);

        Assert.IsType<EmptyResult>(result);
        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal("application/json", context.Response.ContentType);
        var body = ReadJson(context)!.AsArray();
        Assert.Equal("positive", body[0]![0]!["label"]!.GetValue<string>());
        Assert.Equal("negative", body[1]![0]!["label"]!.GetValue<string>());
        // top_k 1: one label per input, the best.
        Assert.All(body, entry => Assert.Single(entry!.AsArray()));
        Assert.Equal("fake", context.Response.Headers["x-model-name"].ToString());
        Assert.Equal("9.9.9", context.Response.Headers["x-model-version"].ToString());
        Assert.Equal("0.250", context.Response.Headers["x-tokenize-ms"].ToString());
        Assert.Equal("0.500", context.Response.Headers["x-queue-ms"].ToString());
        Assert.Equal("1.750", context.Response.Headers["x-inference-ms"].ToString());
        var request = _classifier.LastRequest!;
        Assert.Equal((Model.Activation.Sigmoid, false, "sentiment"), (request.FunctionToApply, request.Truncation, request.Head));
    }

    [Fact]
    public async Task ClassifyHttp_SingleString_IsOneInput()
    {
        var context = Request("{\"inputs\":\"I love it\"}");

        await new ClassifyHttp(Api()).Run(context.Request);

        Assert.Equal(200, context.Response.StatusCode);
        Assert.Single(ReadJson(context)!.AsArray());
    }

    public static TheoryData<string, string, int, string, string, string> BadRequests => new()
    {
        { "text/plain", "{\"inputs\":\"x\"}", 415, "unsupported-media-type", "Content-Type", "send the body as application/json" },
        { "application/json", "{\"inputs\":", 400, "invalid-input", "body", "The body is not valid JSON" },
        { "application/json", "[\"x\"]", 400, "invalid-input", "body", "The body is a JSON array; expected an object" },
        { "application/json", "{\"texts\":[\"x\"]}", 400, "invalid-input", "inputs", "inputs is missing" },
        { "application/json", "{\"inputs\":[\"x\"],\"extra\":1}", 400, "invalid-input", "extra", "Unknown field 'extra'" },
        { "application/json", "{\"inputs\":42}", 400, "invalid-input", "inputs", "inputs is a JSON number; expected a string, an array of strings, or text pairs" },
        { "application/json", "{\"inputs\":[\"x\",null]}", 400, "invalid-input", "inputs[1]", "inputs[1] is a JSON null; every input must be a string" },
        { "application/json", "{\"inputs\":\"x\",\"parameters\":[]}", 400, "invalid-input", "parameters", "parameters is a JSON array; expected an object" },
        { "application/json", "{\"inputs\":\"x\",\"parameters\":{\"top_k\":\"2\"}}", 400, "invalid-input", "parameters.top_k", "must be a whole number" },
        { "application/json", "{\"inputs\":\"x\",\"parameters\":{\"top_k\":1.5}}", 400, "invalid-input", "parameters.top_k", "must be a whole number" },
        { "application/json", "{\"inputs\":\"x\",\"parameters\":{\"function_to_apply\":\"relu\"}}", 400, "invalid-input", "parameters.function_to_apply", "must be \"softmax\", \"sigmoid\" or \"none\"" },
        { "application/json", "{\"inputs\":\"x\",\"parameters\":{\"truncation\":\"no\"}}", 400, "invalid-input", "parameters.truncation", "must be true or false" },
        { "application/json", "{\"inputs\":\"x\",\"parameters\":{\"head\":\"\"}}", 400, "invalid-input", "parameters.head", "must be a head name" },
        { "application/json", "{\"inputs\":\"x\",\"parameters\":{\"topk\":1}}", 400, "invalid-input", "parameters.topk", "Unknown parameter 'topk'; parameters are top_k, function_to_apply, truncation, truncation_direction, head, chunking, chunk_size, chunk_stride, chunk_aggregate, return_chunks" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task ClassifyHttp_BadRequest_ReturnsProblemWithStatusTypeFieldAndDetail(string contentType, string body, int status, string type, string field, string detail)
    {
        var context = Request(body, contentType);

        await new ClassifyHttp(Api()).Run(context.Request);

        var problem = AssertProblem(context, status, type);
        Assert.Equal(field, problem["field"]!.GetValue<string>());
        Assert.Contains(detail, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(_classifier.LastRequest);
    }

    [Fact]
    public async Task ClassifyHttp_BodyOverLimit_Returns413WithoutCallingTheClassifier()
    {
        var context = Request("{\"inputs\":\"" + new string('a', 200) + "\"}");

        await new ClassifyHttp(Api(maxBodyBytes: 100)).Run(context.Request);

        var problem = AssertProblem(context, 413, "payload-too-large");
        Assert.Equal("body", problem["field"]!.GetValue<string>());
        Assert.Null(_classifier.LastRequest);
    }

    public static TheoryData<ClassifierErrorKind, int, string, string?> ClassifierErrors => new()
    {
        { ClassifierErrorKind.InvalidInput, 400, "invalid-input", null },
        { ClassifierErrorKind.PayloadTooLarge, 413, "payload-too-large", null },
        { ClassifierErrorKind.Overloaded, 429, "overloaded", "1" },
        { ClassifierErrorKind.ModelUnavailable, 503, "model-unavailable", "10" },
        { ClassifierErrorKind.ModelInvalid, 500, "model-invalid", null },
        { ClassifierErrorKind.InferenceFailed, 500, "inference-failed", null },
    };

    [Theory]
    [MemberData(nameof(ClassifierErrors))]
    public async Task ClassifyHttp_ClassifierError_MapsToStatusTypeAndRetryAfter(ClassifierErrorKind kind, int status, string type, string? retryAfter)
    {
        _classifier.Failure = new ClassifierException(kind, "secret internal detail /srv/model/encoder.onnx") { Field = "inputs[0]" };
        var context = Request("{\"inputs\":\"x\"}");

        await new ClassifyHttp(Api()).Run(context.Request);

        var problem = AssertProblem(context, status, type);
        Assert.Equal(retryAfter, context.Response.Headers.RetryAfter.FirstOrDefault());
        var leaks = problem["detail"]!.GetValue<string>().Contains("secret internal detail", StringComparison.Ordinal);
        Assert.Equal(status < 500 || kind == ClassifierErrorKind.ModelUnavailable, leaks);
    }

    [Fact]
    public async Task ClassifyHttp_BeforeAModelIsLoaded_Returns503AtOnceWithRetryAfter()
    {
        _classifier.Manifest = null;
        var context = Request("{\"inputs\":\"I love it\"}");

        await new ClassifyHttp(Api()).Run(context.Request);

        var problem = AssertProblem(context, 503, "model-unavailable");
        Assert.Equal("10", context.Response.Headers.RetryAfter.ToString());
        Assert.Contains("No model is loaded yet", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(_classifier.LastRequest);
    }

    [Fact]
    public async Task HealthAndReady_ReportLivenessAndReadiness()
    {
        var health = Get();
        var notReady = Get();
        var ready = Get();

        await HealthHttp.Health(health.Request);
        _classifier.Manifest = null;
        await new HealthHttp(Api()).Ready(notReady.Request);
        _classifier.Manifest = FakeTextClassifier.SampleManifest();
        await new HealthHttp(Api()).Ready(ready.Request);

        Assert.Equal(200, health.Response.StatusCode);
        AssertProblem(notReady, 503, "model-unavailable");
        Assert.Equal("10", notReady.Response.Headers.RetryAfter.ToString());
        Assert.Equal(200, ready.Response.StatusCode);
        Assert.Equal("9.9.9", ReadJson(ready)!["version"]!.GetValue<string>());
    }

    [Fact]
    public async Task ModelsAndOpenApi_DescribeTheModelAndTheRoutes()
    {
        var models = Get();
        var openApi = Get();

        await new ModelsHttp(Api()).Models(models.Request);
        await ModelsHttp.OpenApi(openApi.Request);

        var model = ReadJson(models)!;
        Assert.Equal("fake", model["name"]!.GetValue<string>());
        Assert.Equal("cpu", model["executionProvider"]!.GetValue<string>());
        Assert.Equal(["negative", "positive"], model["heads"]![0]!["labels"]!.AsArray().Select(l => l!.GetValue<string>()));
        Assert.Equal("cls", model["heads"]![0]!["pooling"]!.GetValue<string>());
        Assert.Equal("softmax", model["heads"]![0]!["activation"]!.GetValue<string>());
        Assert.Equal(
            """{"chunking":true,"textPairs":true,"selected":false,"truncationDirection":true}""", model["heads"]![0]!["supports"]!.ToJsonString());
        var document = ReadJson(openApi)!;
        // Every parameter the parser accepts is documented.
        var parameters = document["paths"]!["/api/classify"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!["properties"]!["parameters"]!["properties"]!.AsObject();
        Assert.Equal(
            ["top_k", "function_to_apply", "truncation", "truncation_direction", "head", "chunking", "chunk_size", "chunk_stride", "chunk_aggregate", "return_chunks"],
            parameters.Select(p => p.Key));
        Assert.Equal(["/api/classify", "/api/health", "/api/ready", "/api/models", "/api/openapi.json", "/api/predict", "/api/tokenize", "/api/info"], document["paths"]!.AsObject().Select(p => p.Key));
        Assert.NotNull(document["paths"]!["/api/classify"]!["post"]!["responses"]!["429"]);
    }

    [Fact]
    public async Task ClassifyAndModels_UnexpectedException_Are500ProblemsWithAnErrorIdAndNoDetails()
    {
        var classify = Request("{\"inputs\":\"I love it\"}");
        var models = Get();
        var api = Api();
        _classifier.Manifest = FakeTextClassifier.SampleManifest();

        // Classify reads the manifest first (503 until loaded); the fault comes from the classifier itself.
        _classifier.Unexpected = new InvalidOperationException("secret internals");
        await new ClassifyHttp(api).Run(classify.Request);
        await new ModelsHttp(api).Models(models.Request);

        foreach (var context in new[] { classify, models })
        {
            var problem = AssertProblem(context, 500, "internal-error");
            var errorId = problem["errorId"]!.GetValue<string>();
            Assert.Matches("^[0-9a-f]{32}$", errorId);
            Assert.Contains(errorId, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.DoesNotContain("secret", problem.ToJsonString(), StringComparison.Ordinal);
        }
    }

    private static DefaultHttpContext Get()
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Response.Body = new MemoryStream();
        return context;
    }

    private static JsonNode AssertProblem(HttpContext context, int status, string type)
    {
        Assert.Equal(status, context.Response.StatusCode);
        Assert.Equal("application/problem+json", context.Response.ContentType);
        var problem = ReadJson(context)!;
        Assert.Equal(status, problem["status"]!.GetValue<int>());
        Assert.Equal("urn:serverless-classifier:problem:" + type, problem["type"]!.GetValue<string>());
        Assert.DoesNotContain("   at ", problem.ToJsonString(), StringComparison.Ordinal);
        return problem;
    }
}
