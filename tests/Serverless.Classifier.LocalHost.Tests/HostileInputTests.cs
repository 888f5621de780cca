using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Serverless.Classifier.LocalHost.Tests;

/// <summary>
/// Hostile and malformed requests over real HTTP (Kestrel, the real model): each answers its documented status, errors
/// as problem+json with their type and field, and nothing answers 500.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class HostileInputTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private const string Json = "application/json";
    private const string Invalid = "invalid-input";
    private const string TooLarge = "payload-too-large";
    private const string Media = "unsupported-media-type";

    /// <summary>A case: its name, content type (null: none), body, expected status, and problem type and field for errors.</summary>
    public sealed record HostileCase(string Name, string? ContentType, byte[] Body, int Status, string? Type = null, string? Field = null)
    {
        public override string ToString() => Name;
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>A body whose one input is written as raw JSON (escapes kept as written).</summary>
    private static byte[] Input(string rawJsonString) => Utf8($"{{\"inputs\":\"{rawJsonString}\"}}");

    /// <summary>A body with bytes spliced into the one input's string.</summary>
    private static byte[] InputBytes(params byte[] bytes) => [.. Utf8("{\"inputs\":[\"ok\",\"a"), .. bytes, .. Utf8("b\"]}")];

    private static HostileCase Ok(string name, byte[] body, string contentType = Json) => new(name, contentType, body, 200);

    private static HostileCase Bad(string name, byte[] body, string? field, string type = Invalid, int status = 400, string? contentType = Json) => new(name, contentType, body, status, type, field);

    public static IEnumerable<object[]> Cases() => new HostileCase[]
    {
        // Empty and whitespace: nothing to classify is an error, never a confident label.
        Bad("empty string", Input(""), "inputs"),
        Bad("one space", Input(" "), "inputs"),
        Bad("tabs and newlines", Input("\\t\\n\\r "), "inputs"),
        Bad("ideographic space", Input("\\u3000"), "inputs"),
        Bad("zero-width space", Input("\\u200b"), "inputs"),
        Bad("NUL", Input("\\u0000"), "inputs"),
        Bad("BOM only", Input("\\ufeff"), "inputs"),
        Bad("no-break spaces", Input("\\u00a0\\u00a0"), "inputs"),
        Bad("empty item in a batch", Utf8("{\"inputs\":[\"ok\",\"\"]}"), "inputs[1]"),
        Bad("blank item in a batch", Utf8("{\"inputs\":[\"ok\",\"fine\",\"   \"]}"), "inputs[2]"),
        Bad("empty inputs array", Utf8("{\"inputs\":[]}"), "inputs"),

        // Text that is not valid Unicode, as JSON escapes: refused, never replaced with U+FFFD.
        Bad("lone high surrogate", Input("\\ud800"), "inputs"),
        Bad("lone low surrogate", Input("\\udc00"), "inputs"),
        Bad("reversed pair", Input("\\udc00\\ud800"), "inputs"),
        Bad("half an emoji", Input("smile \\ud83d"), "inputs"),
        Bad("surrogate then letter", Input("\\ud800A"), "inputs"),
        Bad("lone surrogate after a long text", Input(new string('w', 19_000) + "\\ud800"), "inputs"),
        Bad("lone surrogate in one batch item", Utf8("{\"inputs\":[\"ok\",\"fine\",\"bad \\udfff\"]}"), "inputs[2]"),
        Bad("lone surrogate in a key", Utf8("{\"inputs\":\"ok\",\"\\ud800\":1}"), null),
        Bad("lone surrogate in the head name", Utf8("{\"inputs\":\"ok\",\"parameters\":{\"head\":\"\\ud800\"}}"), null),

        // Raw bytes that are not UTF-8.
        Bad("0xFF byte", InputBytes(0xFF), null),
        Bad("0xFE byte", InputBytes(0xFE), null),
        Bad("CESU-8 surrogate", InputBytes(0xED, 0xA0, 0x80), null),
        Bad("overlong slash", InputBytes(0xC0, 0xAF), null),
        Bad("truncated sequence", InputBytes(0xE2, 0x82), null),
        Bad("lone continuation byte", InputBytes(0x80), null),
        Bad("five-byte sequence", InputBytes(0xF8, 0x88, 0x80, 0x80, 0x80), null),
        Bad("beyond U+10FFFF", InputBytes(0xF4, 0x90, 0x80, 0x80), null),

        // Control, format and bidi characters around real text are text.
        Ok("right-to-left override", Input("\\u202egreat product")),
        Ok("bidi isolates", Input("\\u2066awful\\u2069 service")),
        Ok("NUL inside text", Input("good\\u0000value")),
        Ok("terminal escape", Input("\\u001b[31mterrible\\u001b[0m")),
        Ok("next-line character", Input("fine\\u0085thanks")),
        Ok("noncharacter", Input("nice \\uffff one")),
        Ok("combining marks pile", Input("e" + string.Concat(Enumerable.Repeat("\\u0301", 500)))),

        // Huge texts and tokens.
        Bad("text over the character limit", Input(new string('a', 20_001)), "inputs", TooLarge, 413),
        Ok("text at the character limit", Input(string.Join(' ', Enumerable.Repeat("word", 4_000)))),
        Ok("one 20,000-character word", Input(new string('x', 20_000))),
        Ok("1,000 emoji", Input(string.Concat(Enumerable.Repeat("\\ud83d\\ude00", 1_000)))),
        Bad("over-long input without truncation", Utf8("{\"inputs\":\"" + string.Join(' ', Enumerable.Repeat("word", 600)) + "\",\"parameters\":{\"truncation\":false}}"), "inputs"),
        Ok("256 inputs", Utf8("{\"inputs\":[" + string.Join(',', Enumerable.Repeat("\"short\"", 256)) + "]}")),
        Bad("257 inputs", Utf8("{\"inputs\":[" + string.Join(',', Enumerable.Repeat("\"short\"", 257)) + "]}"), "inputs", TooLarge, 413),
        Bad("body over 1 MiB", Input(new string('a', 1_100_000)), "body", TooLarge, 413),

        // Deep nesting.
        Bad("inputs nested 20 deep", Utf8("{\"inputs\":" + new string('[', 20) + "\"x\"" + new string(']', 20) + "}"), "body"),
        Bad("inputs nested 10,000 deep", Utf8("{\"inputs\":" + new string('[', 10_000) + new string(']', 10_000) + "}"), "body"),
        Bad("array in an array", Utf8("{\"inputs\":[[\"x\"]]}"), "inputs[0]"),
        Bad("deep parameters", Utf8("{\"inputs\":\"x\",\"parameters\":{\"head\":" + new string('[', 30) + new string(']', 30) + "}}"), "body"),

        // Duplicate keys mean different things to different parsers: refused.
        Bad("duplicate inputs", Utf8("{\"inputs\":\"good\",\"inputs\":\"bad\"}"), "body"),
        Bad("duplicate parameter", Utf8("{\"inputs\":\"x\",\"parameters\":{\"top_k\":1,\"top_k\":2}}"), "body"),
        Bad("duplicate parameters object", Utf8("{\"inputs\":\"x\",\"parameters\":{},\"parameters\":{}}"), "body"),
        Bad("differently cased key", Utf8("{\"inputs\":\"x\",\"Inputs\":\"y\"}"), "Inputs"),

        // Wrong types.
        Bad("inputs a number", Utf8("{\"inputs\":5}"), "inputs"),
        Bad("inputs null", Utf8("{\"inputs\":null}"), "inputs"),
        Bad("inputs an object without text", Utf8("{\"inputs\":{\"txt\":\"x\"}}"), "inputs.txt"),
        Ok("inputs a pair object", Utf8("{\"inputs\":{\"text\":\"great\",\"text_pair\":\"really\"}}")),
        Bad("a pair object without text", Utf8("{\"inputs\":[{\"text_pair\":\"x\"}]}"), "inputs[0]"),
        Bad("a pair with a number", Utf8("{\"inputs\":[{\"text\":\"x\",\"text_pair\":5}]}"), "inputs[0].text_pair"),
        Bad("a pair of three", Utf8("{\"inputs\":[[\"a\",\"b\",\"c\"]]}"), "inputs[0]"),
        Bad("a pair with a lone surrogate", Utf8("{\"inputs\":[[\"a\",\"\\ud800\"]]}"), "inputs[0][1]"),
        Bad("an empty second text", Utf8("{\"inputs\":[{\"text\":\"a\",\"text_pair\":\"\"}]}"), "inputs[0].text_pair"),
        Bad("a pair with chunking", Utf8("{\"inputs\":[[\"a\",\"b\"]],\"parameters\":{\"chunking\":true}}"), "inputs[0]"),
        Bad("chunk_size a string", Utf8("{\"inputs\":\"x\",\"parameters\":{\"chunking\":true,\"chunk_size\":\"128\"}}"), "parameters.chunk_size"),
        Bad("chunk_stride huge", Utf8("{\"inputs\":\"x\",\"parameters\":{\"chunking\":true,\"chunk_stride\":99999999999}}"), "parameters.chunk_stride"),
        Bad("return_chunks alone", Utf8("{\"inputs\":\"x\",\"parameters\":{\"return_chunks\":true}}"), "parameters.return_chunks"),
        Bad("inputs true", Utf8("{\"inputs\":true}"), "inputs"),
        Bad("a number item", Utf8("{\"inputs\":[\"x\",1]}"), "inputs[1]"),
        Bad("a null item", Utf8("{\"inputs\":[null]}"), "inputs[0]"),
        Bad("parameters a string", Utf8("{\"inputs\":\"x\",\"parameters\":\"top_k=1\"}"), "parameters"),
        Bad("top_k a string", Utf8("{\"inputs\":\"x\",\"parameters\":{\"top_k\":\"1\"}}"), "parameters.top_k"),
        Bad("top_k a fraction", Utf8("{\"inputs\":\"x\",\"parameters\":{\"top_k\":1.5}}"), "parameters.top_k"),
        Bad("top_k zero", Utf8("{\"inputs\":\"x\",\"parameters\":{\"top_k\":0}}"), "parameters.top_k"),
        Bad("top_k huge", Utf8("{\"inputs\":\"x\",\"parameters\":{\"top_k\":99999999999}}"), "parameters.top_k"),
        Bad("truncation a string", Utf8("{\"inputs\":\"x\",\"parameters\":{\"truncation\":\"yes\"}}"), "parameters.truncation"),
        Bad("unknown activation", Utf8("{\"inputs\":\"x\",\"parameters\":{\"function_to_apply\":\"relu\"}}"), "parameters.function_to_apply"),
        Bad("head a number", Utf8("{\"inputs\":\"x\",\"parameters\":{\"head\":5}}"), "parameters.head"),
        Bad("unknown head", Utf8("{\"inputs\":\"x\",\"parameters\":{\"head\":\"topic\"}}"), "parameters.head"),
        Bad("unknown truncation direction", Utf8("{\"inputs\":\"x\",\"parameters\":{\"truncation_direction\":\"middle\"}}"), "parameters.truncation_direction"),
        Bad("unknown parameter", Utf8("{\"inputs\":\"x\",\"parameters\":{\"temperature\":2}}"), "parameters.temperature"),
        Bad("unknown field", Utf8("{\"inputs\":\"x\",\"texts\":[\"y\"]}"), "texts"),

        // Content types.
        Bad("text/plain", Utf8("{\"inputs\":\"x\"}"), "Content-Type", Media, 415, "text/plain"),
        Bad("no content type", Utf8("{\"inputs\":\"x\"}"), "Content-Type", Media, 415, null),
        Bad("application/xml", Utf8("<inputs>x</inputs>"), "Content-Type", Media, 415, "application/xml"),
        Bad("form data", Utf8("inputs=x"), "Content-Type", Media, 415, "application/x-www-form-urlencoded"),
        Ok("json with charset", Utf8("{\"inputs\":\"great\"}"), "application/json; charset=utf-8"),
        Ok("a +json type", Utf8("{\"inputs\":\"great\"}"), "application/vnd.api+json"),
        Bad("json labelled but UTF-16", Encoding.Unicode.GetBytes("{\"inputs\":\"x\"}"), "body", contentType: "application/json; charset=utf-16"),

        // Injection strings are text like any other.
        Ok("SQL injection", Input("' OR 1=1; DROP TABLE reviews; --")),
        Ok("script tag", Input("<script>alert(1)</script>")),
        Ok("template expression", Input("{{7*7}} ${7*7}")),
        Ok("log4shell", Input("${jndi:ldap://127.0.0.1/a}")),
        Ok("path traversal", Input("../../../../etc/passwd")),
        Ok("format string", Input("%s%s%s%n%x")),

        // Malformed JSON.
        Bad("unterminated object", Utf8("{"), "body"),
        Bad("empty body", [], "body"),
        Bad("null body", Utf8("null"), "body"),
        Bad("array body", Utf8("[\"x\"]"), "body"),
        Bad("trailing garbage", Utf8("{\"inputs\":\"x\"} trailing"), "body"),
        Bad("comments", Utf8("/* hi */{\"inputs\":\"x\"}"), "body"),
        Bad("single quotes", Utf8("{'inputs':'x'}"), "body"),
        Bad("NaN", Utf8("{\"inputs\":\"x\",\"parameters\":{\"top_k\":NaN}}"), "body"),
    }.Select(c => new object[] { c });

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Classify_HostileOrMalformedRequest_AnswersItsDocumentedStatus(HostileCase testCase)
    {
        using var content = new ByteArrayContent(testCase.Body);
        if (testCase.ContentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(testCase.ContentType);
        }

        using var response = await host.Http.PostAsync("/api/classify", content, TestContext.Token);
        var body = await response.Content.ReadAsStringAsync(TestContext.Token);

        Assert.True((int)response.StatusCode == testCase.Status, $"{testCase.Name}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 300)]}");
        if (testCase.Status == 200)
        {
            Assert.Equal(Json, response.Content.Headers.ContentType!.MediaType);
            Assert.NotEmpty(JsonNode.Parse(body)!.AsArray());
            return;
        }

        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = JsonNode.Parse(body)!;
        Assert.Equal($"urn:serverless-classifier:problem:{testCase.Type}", problem["type"]!.GetValue<string>());
        Assert.Equal(testCase.Status, problem["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrWhiteSpace(problem["detail"]!.GetValue<string>()));
        if (testCase.Field is not null)
        {
            Assert.Equal(testCase.Field, problem["field"]?.GetValue<string>());
        }
    }

    [Fact]
    public void Cases_CoverEveryCategoryWithAtLeastSixtyRequests() => Assert.True(Cases().Count() >= 60, $"{Cases().Count()} cases");

    [Fact]
    public async Task Classify_LoneSurrogateItem_NamesTheItemAndSaysWhy()
    {
        using var content = new StringContent("{\"inputs\":[\"ok\",\"fine\",\"x\\ud800\"]}", Encoding.UTF8, Json);

        using var response = await host.Http.PostAsync("/api/classify", content, TestContext.Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Token))!;
        Assert.Equal("inputs[2]", problem["field"]!.GetValue<string>());
        Assert.StartsWith("inputs[2] is not valid Unicode", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
