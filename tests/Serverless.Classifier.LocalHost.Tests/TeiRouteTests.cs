using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Serverless.Classifier.LocalHost.Tests;

/// <summary>
/// The Text Embeddings Inference-compatible routes, driven with requests shaped like TEI's documented examples
/// (its README and OpenAPI: <c>curl 127.0.0.1:8080/predict -X POST -d '{"inputs":"I like you. I love you"}'</c>).
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class TeiRouteTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    [Theory]
    [InlineData("/predict")]
    [InlineData("/api/predict")]
    public async Task Predict_OneString_IsTeisListOfScoresAndLabelsBestFirst(string path)
    {
        var (status, body) = await PostAsync(path, """{"inputs":"I like you. I love you"}""");

        Assert.Equal(HttpStatusCode.OK, status);
        var predictions = body.AsArray();
        Assert.Equal(["positive", "negative"], predictions.Select(p => p!["label"]!.GetValue<string>()));
        Assert.Equal(["score", "label"], predictions[0]!.AsObject().Select(p => p.Key));
        Assert.Equal(1.0, predictions.Sum(p => p!["score"]!.GetValue<double>()), 5);
        Assert.True(predictions[0]!["score"]!.GetValue<double>() > 0.9);
    }

    [Fact]
    public async Task Predict_Batch_IsOneListPerInputInOrder_AndRawScoresAreTheLogits()
    {
        const string batch = """{"inputs":[["I like you."],["I hate pineapples, they are awful"]]}""";

        var (status, body) = await PostAsync("/predict", batch);
        var (_, raw) = await PostAsync("/predict", """{"inputs":[["I like you."],["I hate pineapples, they are awful"]],"raw_scores":true}""");
        var (_, logits) = await PostAsync("/api/classify", """{"inputs":["I like you.","I hate pineapples, they are awful"],"parameters":{"function_to_apply":"none"}}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["positive", "negative"], body.AsArray().Select(b => b![0]!["label"]!.GetValue<string>()));
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(
                logits[i]!.AsArray().Select(l => (l!["label"]!.GetValue<string>(), l["score"]!.GetValue<double>())),
                raw[i]!.AsArray().Select(l => (l!["label"]!.GetValue<string>(), l["score"]!.GetValue<double>())));
        }
    }

    [Theory]
    [InlineData("Right", "right")]
    [InlineData("LEFT", "left")]
    [InlineData("left", "left")]
    public async Task Predict_TruncateAndDirection_CutAsClassifyDoes(string teiDirection, string direction)
    {
        var longText = "Awful, it broke on day two. " + string.Join(" ", Enumerable.Repeat("The box was brown and the manual was printed on paper.", 60)) + " Wonderful, I love it.";

        var (refused, error) = await PostAsync("/predict", JsonSerializer.Serialize(new { inputs = longText }));
        var (status, predicted) = await PostAsync("/predict", JsonSerializer.Serialize(new { inputs = longText, truncate = true, truncation_direction = teiDirection }));
        var (_, classified) = await PostAsync("/api/classify", JsonSerializer.Serialize(new { inputs = longText, parameters = new { truncation_direction = direction } }));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused);
        Assert.Equal("Validation", error["error_type"]!.GetValue<string>());
        Assert.StartsWith("inputs[0] is longer than the model's maximum of 512 tokens", error["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(
            classified[0]!.AsArray().Select(l => (l!["label"]!.GetValue<string>(), l["score"]!.GetValue<double>())),
            predicted.AsArray().Select(l => (l!["label"]!.GetValue<string>(), l["score"]!.GetValue<double>())));
    }

    [Fact]
    public async Task Predict_TextPair_ScoresAsClassifyDoesInBothPairShapes()
    {
        const string first = "The battery died after two days.";
        const string second = "Great value for the price, would buy again.";

        var (status, predicted) = await PostAsync("/predict", JsonSerializer.Serialize(new { inputs = new[] { first, second } }));
        var (_, batch) = await PostAsync("/predict", JsonSerializer.Serialize(new { inputs = new[] { new[] { first, second }, new[] { first } } }));
        var (_, classified) = await PostAsync(
            "/api/classify", JsonSerializer.Serialize(new { inputs = new object[] { new { text = first, text_pair = second }, new[] { first, second }, first } }));
        var (_, swapped) = await PostAsync("/api/classify", JsonSerializer.Serialize(new { inputs = new { text = second, text_pair = first } }));

        static IEnumerable<(string, double)> Scores(JsonNode entry) => entry.AsArray().Select(l => (l!["label"]!.GetValue<string>(), l["score"]!.GetValue<double>()));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(Scores(classified[0]!), Scores(predicted));
        Assert.Equal(Scores(classified[0]!), Scores(classified[1]!));
        Assert.Equal(Scores(classified[0]!), Scores(batch[0]!));
        Assert.Equal(Scores(classified[2]!), Scores(batch[1]!));
        // The pair is one input of two segments, not the first text alone, and its order matters.
        Assert.NotEqual(Scores(classified[0]!), Scores(classified[2]!));
        Assert.NotEqual(Scores(classified[0]!), Scores(swapped[0]!));
    }

    public static TheoryData<string, string, int, string, string> Errors => new()
    {
        { "application/json", """{"inputs":[["a"],["b","c","d"]]}""", 422, "Validation", "inputs[1] has 3 strings; a sequence is one text [\"text\"] (or a pair [\"a\", \"b\"])." },
        { "application/json", """{"inputs":"ok","truncation_direction":"up"}""", 422, "Validation", "truncation_direction must be \"Right\" (keep the start of an over-long input) or \"Left\" (keep its end)." },
        { "application/json", """{"inputs":"ok","raw_scores":"yes"}""", 422, "Validation", "raw_scores must be true or false." },
        { "application/json", """{"inputs":"ok","normalize":true}""", 422, "Validation", "Unknown field 'normalize'; the body has inputs, truncate, truncation_direction, raw_scores." },
        { "application/json", """{"inputs":"ok","empty":true}""", 422, "Validation", "Unknown field 'empty'; the body has inputs, truncate, truncation_direction, raw_scores." },
        { "application/json", """{"inputs":[" \t"]}""", 422, "Validation", "inputs[0] has no text to classify" },
        { "application/json", """{"inputs":""", 422, "Validation", "The body is not valid JSON" },
        { "application/json", """{"inputs":[]}""", 400, "Empty", "inputs is an empty array" },
        { "application/json", """{"inputs":""}""", 400, "Empty", "inputs[0] is empty" },
        { "text/plain", """{"inputs":"ok"}""", 415, "Validation", "Content-Type is 'text/plain; charset=utf-8'; send the body as application/json." },
        { "application/json", "{\"inputs\":[" + string.Join(",", Enumerable.Repeat("[\"x\"]", 257)) + "]}", 413, "Validation", "inputs has 257 items; at most 256 are allowed per request." },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task Predict_BadRequest_IsTeisErrorBodyAndStatus(string contentType, string body, int status, string errorType, string message)
    {
        using var response = await host.Http.PostAsync("/predict", new StringContent(body, Encoding.UTF8, contentType));
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(["error", "error_type"], error.AsObject().Select(p => p.Key));
        Assert.Equal(errorType, error["error_type"]!.GetValue<string>());
        Assert.Contains(message, error["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string, int, string, string> HostileBodies => new()
    {
        { "/predict", "{\"inputs\":\"ok \\uD800 ok\"}", 422, "Validation", "not valid Unicode" },
        { "/predict", "{\"inputs\":[[\"\\uDFFF\"]]}", 422, "Validation", "inputs[0][0] is not valid Unicode" },
        { "/predict", "{\"inputs\":\"" + new string('a', 20_001) + "\"}", 413, "Validation", "inputs[0] has 20001 characters; at most 20000" },
        { "/predict", "{\"inputs\":\"" + new string('a', 1_100_000) + "\"}", 413, "Validation", "The body has" },
        { "/tokenize", "{\"inputs\":\"ok \\uD800\"}", 422, "Validation", "not valid Unicode" },
        { "/tokenize", "{\"inputs\":3}", 422, "Validation", "inputs is a JSON number; expected a string or an array of strings." },
        { "/tokenize", "{\"inputs\":[\"a\",1]}", 422, "Validation", "inputs[1] is a JSON number; every input must be a string." },
        { "/tokenize", "{\"inputs\":[]}", 400, "Empty", "inputs is an empty array" },
        { "/tokenize", "{\"inputs\":\"\"}", 400, "Empty", "inputs[0] is empty" },
        { "/tokenize", "{\"inputs\":\"ok\",\"add_special_tokens\":\"no\"}", 422, "Validation", "add_special_tokens must be true or false." },
        { "/tokenize", "{\"inputs\":\"ok\",\"prompt\":1}", 422, "Validation", "Unknown field 'prompt'; the body has inputs, add_special_tokens." },
        { "/tokenize", "{\"inputs\":[" + string.Join(",", Enumerable.Repeat("\"x\"", 257)) + "]}", 413, "Validation", "inputs has 257 items; at most 256 are allowed per request." },
        { "/tokenize", "{\"inputs\":\"" + new string('a', 20_001) + "\"}", 413, "Validation", "inputs[0] has 20001 characters; at most 20000" },
    };

    [Theory]
    [MemberData(nameof(HostileBodies))]
    public async Task TeiRoutes_HostileBody_IsTeisErrorNeverA500(string path, string body, int status, string errorType, string message)
    {
        using var response = await host.Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(errorType, error["error_type"]!.GetValue<string>());
        Assert.Contains(message, error["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/predict")]
    [InlineData("/tokenize")]
    public async Task TeiRoutes_InvalidUtf8_Is422NeverA500(string path)
    {
        var body = Encoding.UTF8.GetBytes("{\"inputs\":\"ok \"}").ToList();
        body.InsertRange(body.Count - 2, new byte[] { 0xC3, 0x28, 0xFF });
        using var content = new ByteArrayContent([.. body]);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await host.Http.PostAsync(path, content);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(422, (int)response.StatusCode);
        Assert.Equal("Validation", error["error_type"]!.GetValue<string>());
        Assert.Contains("not valid Unicode", error["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tokenize_IsTeisTokenListsWithAndWithoutSpecialTokens()
    {
        var (status, body) = await PostAsync("/tokenize", """{"inputs":"test"}""");
        var (_, bare) = await PostAsync("/api/tokenize", """{"inputs":["Hello, world!","playing"],"add_special_tokens":false}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(
            """[[{"id":101,"text":"[CLS]","special":true,"start":null,"stop":null},{"id":3231,"text":"test","special":false,"start":null,"stop":null},{"id":102,"text":"[SEP]","special":true,"start":null,"stop":null}]]""",
            body.ToJsonString());
        Assert.Equal([[7592, 1010, 2088, 999], [2652]], bare.AsArray().Select(t => t!.AsArray().Select(x => x!["id"]!.GetValue<int>())));
        Assert.Equal(["hello", ",", "world", "!"], bare[0]!.AsArray().Select(x => x!["text"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Info_IsTeisModelDescription()
    {
        var info = JsonNode.Parse(await host.Http.GetStringAsync("/info"))!;
        var underApi = JsonNode.Parse(await host.Http.GetStringAsync("/api/info"))!;

        Assert.Equal(host.ModelName, info["model_id"]!.GetValue<string>());
        Assert.Equal("""{"0":"negative","1":"positive"}""", info["model_type"]!["classifier"]!["id2label"]!.ToJsonString());
        Assert.Equal("""{"negative":0,"positive":1}""", info["model_type"]!["classifier"]!["label2id"]!.ToJsonString());
        Assert.Equal((512, 4096, 32, 256), (info["max_input_length"]!.GetValue<int>(), info["max_batch_tokens"]!.GetValue<int>(), info["max_batch_requests"]!.GetValue<int>(), info["max_client_batch_size"]!.GetValue<int>()));
        Assert.Equal(info.ToJsonString(), underApi.ToJsonString());
    }

    private async Task<(HttpStatusCode Status, JsonNode Body)> PostAsync(string path, string json)
    {
        using var response = await host.Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }
}
