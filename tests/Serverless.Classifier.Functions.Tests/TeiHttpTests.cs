using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Serverless.Classifier.Hosting.Http;

using static Serverless.Classifier.Functions.Tests.TestHttp;

namespace Serverless.Classifier.Functions.Tests;

/// <summary>The TEI-compatible functions over a fake classifier: engine errors become TEI's statuses and error body.</summary>
public sealed class TeiHttpTests
{
    private readonly FakeTextClassifier _classifier = new() { Manifest = FakeTextClassifier.SampleManifest() };

    private TeiHttp Functions() => new(new ClassifierHttpApi(_classifier, Options.Create(new ClassifierOptions()), NullLogger<ClassifierHttpApi>.Instance));

    public static TheoryData<ClassifierErrorKind, int, string, string?, bool> Errors => new()
    {
        { ClassifierErrorKind.InvalidInput, 422, "Validation", null, true },
        { ClassifierErrorKind.PayloadTooLarge, 413, "Validation", null, true },
        { ClassifierErrorKind.Overloaded, 429, "Overloaded", "1", true },
        { ClassifierErrorKind.ModelUnavailable, 503, "Unhealthy", "10", true },
        { ClassifierErrorKind.ModelInvalid, 424, "Backend", null, false },
        { ClassifierErrorKind.InferenceFailed, 424, "Backend", null, false },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task Predict_ClassifierError_IsTeisStatusErrorTypeAndRetryAfter(ClassifierErrorKind kind, int status, string errorType, string? retryAfter, bool detailShown)
    {
        _classifier.Failure = new ClassifierException(kind, "secret internal detail /srv/model/encoder.onnx") { Field = "inputs[0]" };
        var context = Request("{\"inputs\":\"x\"}");

        await Functions().Predict(context.Request);

        Assert.Equal(status, context.Response.StatusCode);
        var body = ReadJson(context)!;
        Assert.Equal(errorType, body["error_type"]!.GetValue<string>());
        Assert.Equal(retryAfter, context.Response.Headers.RetryAfter.FirstOrDefault());
        Assert.Equal(detailShown, body["error"]!.GetValue<string>().Contains("secret internal detail", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TeiRoutes_BeforeAModelIsLoaded_Answer503Unhealthy()
    {
        _classifier.Manifest = null;
        var predict = Request("{\"inputs\":\"x\"}");
        var tokenize = Request("{\"inputs\":\"x\"}");
        var info = new DefaultHttpContext { Response = { Body = new MemoryStream() } };

        await Functions().Predict(predict.Request);
        await Functions().Tokenize(tokenize.Request);
        await Functions().Info(info.Request);

        Assert.All([predict, tokenize, info], context =>
        {
            Assert.Equal(503, context.Response.StatusCode);
            Assert.Equal("Unhealthy", ReadJson(context)!["error_type"]!.GetValue<string>());
        });
        Assert.Null(_classifier.LastRequest);
    }

    [Fact]
    public async Task Predict_FakeScores_AreBestFirstAndRawScoresAskForLogits()
    {
        var context = Request("{\"inputs\":[[\"I love it\"],[\"meh\"]],\"raw_scores\":true}");

        await Functions().Predict(context.Request);

        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal(["positive", "negative"], ReadJson(context)!.AsArray().Select(p => p![0]!["label"]!.GetValue<string>()));
        Assert.Equal(Model.Activation.None, _classifier.LastRequest!.FunctionToApply);
        Assert.False(_classifier.LastRequest.Truncation);
    }
}
