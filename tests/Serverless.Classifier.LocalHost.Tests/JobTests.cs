using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs.Specialized;

namespace Serverless.Classifier.LocalHost.Tests;

/// <summary>Batch jobs end to end: a message on the queue, blobs in Azurite, the WebJobs listener, the real model.</summary>
[Collection(StorageCollection.Name)]
public sealed class JobTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private static readonly string[] Sentences =
        [.. File.ReadLines(Path.Combine(AppContext.BaseDirectory, "TestData", "sentiment-test.jsonl")).Select(l => JsonNode.Parse(l)!["text"]!.GetValue<string>())];

    [Fact]
    public async Task JsonLines2000_OutputIsInInputOrderWithErrorLinesAndSummary_AndRedeliveryIsByteIdentical()
    {
        var name = $"reviews-{Guid.NewGuid():N}.jsonl";
        var lines = Enumerable.Range(0, 2000).Select(i => i switch
        {
            10 => "not json at all",
            20 => "{\"id\":\"r20\",\"body\":\"no text field\"}",
            _ => JsonSerializer.Serialize(new { id = $"r{i}", text = Sentences[i % Sentences.Length] }),
        });
        await Inputs.GetBlobClient(name).UploadAsync(BinaryData.FromString(string.Join("\n", lines) + "\n"));
        var message = JsonSerializer.Serialize(new { input = $"inputs/{name}", output = $"outputs/{name}" });

        await host.Queue(host.QueueName).SendMessageAsync(message);
        var summary = await WaitForSummaryAsync(name);
        var first = (await Outputs.GetBlobClient(name).DownloadContentAsync()).Value.Content.ToArray();

        var output = Encoding.UTF8.GetString(first).TrimEnd('\n').Split('\n').Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(2000, output.Count);
        Assert.Equal("r0", output[0]["id"]!.GetValue<string>());
        Assert.Equal(Enumerable.Range(1, 2000), output.Select(o => o["line"]!.GetValue<int>()));
        // A line without an id has a null id, never its line number (which could be another line's id).
        Assert.Null(output[10]["id"]);
        Assert.StartsWith("the line is not valid JSON", output[10]["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("the line has no string field 'text'", output[20]["error"]!.GetValue<string>());
        Assert.Equal(Enumerable.Range(0, 2000).Where(i => i is not (10 or 20)).Select(i => $"r{i}"), output.Where(o => o["error"] is null).Select(o => o["id"]!.GetValue<string>()));
        var classified = output[0];
        Assert.Contains(classified["label"]!.GetValue<string>(), new[] { "negative", "positive" });
        Assert.Equal(1.0, classified["scores"]!.AsObject().Sum(s => s.Value!.GetValue<double>()), 5);
        Assert.Equal(2000, summary["lines"]!.GetValue<int>());
        Assert.Equal((2000, 2000, 1998, 2), (summary["inputLines"]!.GetValue<int>(), summary["outputLines"]!.GetValue<int>(), summary["classified"]!.GetValue<int>(), summary["errors"]!.GetValue<int>()));
        Assert.True(summary["totalMs"]!.GetValue<double>() > 0);
        Assert.Equal(host.ModelName, summary["model"]!.GetValue<string>());
        Assert.False(await Outputs.GetBlobClient(name + ".progress.json").ExistsAsync());

        await Outputs.GetBlobClient(name + ".summary.json").DeleteAsync();
        await host.Queue(host.QueueName).SendMessageAsync(message);
        await WaitForSummaryAsync(name);
        var second = (await Outputs.GetBlobClient(name).DownloadContentAsync()).Value.Content.ToArray();
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task MixedGoodAndBadLines_FinishWithOneOutputLinePerInputLine()
    {
        var name = $"hostile-{Guid.NewGuid():N}.jsonl";
        var lines = new List<byte[]>
        {
            Encoding.UTF8.GetBytes("{\"id\":1,\"text\":\"I love it\"}"),
            Encoding.UTF8.GetBytes("not json"),
            Encoding.UTF8.GetBytes("{\"id\":3,\"text\":\"a\",\"text\":\"b\"}"),
            Encoding.UTF8.GetBytes("{\"id\":4,\"text\":\"bad \\ud800\"}"),
            Encoding.UTF8.GetBytes("{\"id\":5,\"text\":\"caf").Append((byte)0xE9).Concat(Encoding.UTF8.GetBytes("\"}")).ToArray(),
            Encoding.UTF8.GetBytes(""),
            Encoding.UTF8.GetBytes("{\"id\":7,\"text\":\"\"}"),
            Encoding.UTF8.GetBytes("{\"id\":8,\"text\":\" \\t \"}"),
            Encoding.UTF8.GetBytes("{\"id\":9,\"text\":\"" + new string('a', 20_001) + "\"}"),
            Encoding.UTF8.GetBytes("{\"id\":10,\"body\":\"no text\"}"),
            Encoding.UTF8.GetBytes("[10]"),
            Encoding.UTF8.GetBytes("{\"id\":12,\"text\":\"\\u200b\"}"),
            Encoding.UTF8.GetBytes("{\"id\":13,\"text\":\"I hate it\"}"),
            Encoding.UTF8.GetBytes(""),
            Encoding.UTF8.GetBytes("  "),
        };
        await Inputs.GetBlobClient(name).UploadAsync(BinaryData.FromBytes([.. lines.SelectMany(l => l.Append((byte)'\n'))]));

        await host.Queue(host.QueueName).SendMessageAsync(JsonSerializer.Serialize(new { input = $"inputs/{name}", output = $"outputs/{name}" }));
        var summary = await WaitForSummaryAsync(name);
        var output = await ReadLinesAsync(name);

        Assert.Equal(Enumerable.Range(1, 13), output.Select(o => o["line"]!.GetValue<int>()));
        Assert.Equal(["positive", "negative"], output.Where(o => o["label"] is not null).Select(o => o["label"]!.GetValue<string>()));
        string[] expectedErrors =
        [
            "the line is not valid JSON", "the line has a duplicate key", "field 'text' is not valid Unicode", "the line is not valid UTF-8",
            "the line is blank", "the text is empty", "the text has no text to classify", "the text has 20001 characters",
            "the line has no string field 'text'", "the line is not a JSON object", "the text has no text to classify",
        ];
        var errors = output.Where(o => o["error"] is not null).Select(o => o["error"]!.GetValue<string>()).ToList();
        Assert.Equal(expectedErrors.Length, errors.Count);
        Assert.All(expectedErrors.Zip(errors), pair => Assert.StartsWith(pair.First, pair.Second, StringComparison.Ordinal));
        Assert.Equal((13, 13, 2, 11, 2), (summary["inputLines"]!.GetValue<int>(), summary["outputLines"]!.GetValue<int>(), summary["classified"]!.GetValue<int>(), summary["errors"]!.GetValue<int>(), summary["trailingBlankLines"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Csv_UnterminatedQuote_IsOneErrorLineAndTheLaterRowsAreClassified()
    {
        var csv = $"quote-{Guid.NewGuid():N}.csv";
        await Inputs.GetBlobClient(csv).UploadAsync(BinaryData.FromString("id,text\n1,I love it\n2,\"broken quote\n3,I hate it\n4,Great value\n5,Awful\n"));

        await host.Queue(host.QueueName).SendMessageAsync(JsonSerializer.Serialize(new { input = $"inputs/{csv}", output = $"outputs/{csv}.jsonl" }));
        var summary = await WaitForSummaryAsync(csv + ".jsonl");
        var output = await ReadLinesAsync(csv + ".jsonl");

        Assert.Equal(["1", null, "3", "4", "5"], output.Select(o => o["id"]?.GetValue<string>()));
        Assert.Equal([2, 3, 4, 5, 6], output.Select(o => o["line"]!.GetValue<int>()));
        Assert.Equal("the quoted field 2 opened on line 3 is never closed (unterminated quote); close the quote", output[1]["error"]!.GetValue<string>());
        Assert.Equal(["positive", "negative", "positive", "negative"], output.Where(o => o["label"] is not null).Select(o => o["label"]!.GetValue<string>()));
        Assert.Equal((5, 5, 1), (summary["inputLines"]!.GetValue<int>(), summary["outputLines"]!.GetValue<int>(), summary["errors"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Chunking_LongDocumentsAreClassifiedInWindows_AndOneOverTheWindowLimitIsAnErrorLine()
    {
        var name = $"long-{Guid.NewGuid():N}.jsonl";
        var filler = string.Concat(Enumerable.Repeat("The meeting is on the third floor of the building next to the station. Bring the forms and a pen. ", 36));
        var negative = filler + string.Concat(Enumerable.Repeat("This is the worst product I have ever bought, it broke after a day and support never answered. ", 3));
        string[] texts = ["I love it", negative, string.Join(" ", Enumerable.Repeat("word", 33_000)), string.Concat(Enumerable.Repeat("Great value, I love it. ", 1_100)), "I hate it"];
        await Inputs.GetBlobClient(name).UploadAsync(BinaryData.FromString(string.Concat(texts.Select((t, i) => JsonSerializer.Serialize(new { id = i + 1, text = t }) + "\n"))));

        await host.Queue(host.QueueName).SendMessageAsync(JsonSerializer.Serialize(new { input = $"inputs/{name}", output = $"outputs/{name}", chunking = true, chunkAggregate = "max" }));
        var summary = await WaitForSummaryAsync(name);
        var output = await ReadLinesAsync(name);

        Assert.Equal([1, 2, 3, 4, 5], output.Select(o => o["id"]!.GetValue<int>()));
        Assert.Equal(["positive", "negative", null, "positive", "negative"], output.Select(o => o["label"]?.GetValue<string>()));
        Assert.Equal(
            "the text needs 86 windows of 510 word pieces (chunk_stride 127); at most 64 are allowed per input. Split the document, or lower chunk_stride.",
            output[2]["error"]!.GetValue<string>());
        Assert.Equal((4, 1), (summary["classified"]!.GetValue<int>(), summary["errors"]!.GetValue<int>()));
    }

    [Fact]
    public async Task PairField_ClassifiesEachLineAsATextPair_AsTheHttpApiDoes()
    {
        var name = $"pairs-{Guid.NewGuid():N}.jsonl";
        await Inputs.GetBlobClient(name).UploadAsync(BinaryData.FromString(
            "{\"id\":1,\"a\":\"The battery died after two days.\",\"b\":\"Great value for the price.\"}\n{\"id\":2,\"a\":\"no pair\"}\n" +
            "{\"id\":3,\"a\":\"x\",\"b\":\"\"}\n{\"id\":4,\"a\":\"x\",\"b\":\"" + new string('b', 20_001) + "\"}\n{\"id\":5,\"a\":\"x\",\"b\":\"\\ud800\"}\n"));

        await host.Queue(host.QueueName).SendMessageAsync(JsonSerializer.Serialize(new { input = $"inputs/{name}", output = $"outputs/{name}", textField = "a", pairField = "b" }));
        await WaitForSummaryAsync(name);
        var output = await ReadLinesAsync(name);
        using var response = await host.Http.PostAsJsonAsync(
            "/api/classify", new { inputs = new[] { new { text = "The battery died after two days.", text_pair = "Great value for the price." } } });
        var http = JsonNode.Parse(await response.Content.ReadAsStringAsync())![0]!.AsArray();

        Assert.Equal(http[0]!["label"]!.GetValue<string>(), output[0]["label"]!.GetValue<string>());
        Assert.Equal(Math.Round(http[0]!["score"]!.GetValue<double>(), 6), output[0]["score"]!.GetValue<double>(), 6);
        Assert.Equal("the line has no string field 'b'", output[1]["error"]!.GetValue<string>());
        Assert.Equal("the pair's second text is empty; send text to classify.", output[2]["error"]!.GetValue<string>());
        Assert.StartsWith("the pair's second text has 20001 characters; at most 20000 are allowed.", output[3]["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("field 'b' is not valid Unicode", output[4]["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CsvAndText_AreReadByFormat()
    {
        var csv = $"mixed-{Guid.NewGuid():N}.csv";
        var txt = $"lines-{Guid.NewGuid():N}.txt";
        await Inputs.GetBlobClient(csv).UploadAsync(BinaryData.FromString("id,text\r\na,\"Great, truly great\"\r\nb,\"Awful.\nNever again\"\r\n"));
        await Inputs.GetBlobClient(txt).UploadAsync(BinaryData.FromString("I love it\nI hate it\n"));

        await host.Queue(host.QueueName).SendMessageAsync(JsonSerializer.Serialize(new { input = $"inputs/{csv}", output = $"outputs/{csv}.jsonl" }));
        await host.Queue(host.QueueName).SendMessageAsync(JsonSerializer.Serialize(new { input = $"inputs/{txt}", output = $"outputs/{txt}.jsonl" }));
        await WaitForSummaryAsync(csv + ".jsonl");
        await WaitForSummaryAsync(txt + ".jsonl");

        var csvOut = await ReadLinesAsync(csv + ".jsonl");
        var txtOut = await ReadLinesAsync(txt + ".jsonl");
        Assert.Equal(["a", "b"], csvOut.Select(l => l["id"]!.GetValue<string>()));
        Assert.Equal(["positive", "negative"], csvOut.Select(l => l["label"]!.GetValue<string>()));
        Assert.Equal([1, 2], txtOut.Select(l => l["id"]!.GetValue<int>()));
        Assert.Equal(["positive", "negative"], txtOut.Select(l => l["label"]!.GetValue<string>()));
    }

    [Fact]
    public async Task MessagesThatCanNeverSucceed_AreRecordedAsRejectedWithTheirReasonAndNotRetried()
    {
        var tag = Guid.NewGuid().ToString("N");
        var messages = new Dictionary<string, string>
        {
            [$"{{not json {tag}"] = "The message is not valid JSON",
            [JsonSerializer.Serialize(new { input = $"inputs/../models/{tag}", output = "outputs/x.jsonl" })] = "is not a blob path",
            [JsonSerializer.Serialize(new { input = $"models/{tag}.jsonl", output = "outputs/y.jsonl" })] = "jobs may use [inputs] for input",
            [JsonSerializer.Serialize(new { input = $"inputs/{tag}-missing.jsonl", output = "outputs/z.jsonl" })] = "does not exist; upload it before sending the message",
        };

        foreach (var message in messages.Keys)
        {
            await host.Queue(host.QueueName).SendMessageAsync(message);
        }

        var rejected = new List<JsonNode>();
        await LocalHostFixture.WaitUntilAsync(
            async () =>
            {
                foreach (var item in (await host.Queue(host.RejectedQueueName).ReceiveMessagesAsync(32)).Value)
                {
                    rejected.Add(JsonNode.Parse(item.Body.ToString())!);
                    await host.Queue(host.RejectedQueueName).DeleteMessageAsync(item.MessageId, item.PopReceipt);
                }

                return rejected.Count(r => r["message"]!.GetValue<string>().Contains(tag, StringComparison.Ordinal)) == messages.Count;
            },
            TimeSpan.FromMinutes(1),
            "four rejected messages");

        foreach (var (message, reason) in messages)
        {
            var record = Assert.Single(rejected, r => r["message"]!.GetValue<string>() == message);
            Assert.Contains(reason, record["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        var poison = await host.Queue(host.PoisonQueueName).PeekMessagesAsync(32);
        Assert.DoesNotContain(poison.Value, m => m.Body.ToString().Contains(tag, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Chunking_WindowLargerThanTheModel_RejectsTheMessageWithTheReason()
    {
        var name = $"too-wide-{Guid.NewGuid():N}.jsonl";
        await Inputs.GetBlobClient(name).UploadAsync(BinaryData.FromString("{\"id\":1,\"text\":\"fine\"}\n"));
        var message = JsonSerializer.Serialize(new { input = $"inputs/{name}", output = $"outputs/{name}", chunking = true, chunkSize = 1000 });

        await host.Queue(host.QueueName).SendMessageAsync(message);

        JsonNode? record = null;
        await LocalHostFixture.WaitUntilAsync(
            async () =>
            {
                foreach (var item in (await host.Queue(host.RejectedQueueName).ReceiveMessagesAsync(32)).Value)
                {
                    var parsed = JsonNode.Parse(item.Body.ToString())!;
                    if (parsed["message"]!.GetValue<string>() == message)
                    {
                        record = parsed;
                        await host.Queue(host.RejectedQueueName).DeleteMessageAsync(item.MessageId, item.PopReceipt);
                    }
                }

                return record is not null;
            },
            TimeSpan.FromMinutes(1),
            "the rejected record");
        Assert.Contains("chunk_size is 1000; it must be at least 3", record!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        // Whoever waits for the output learns why from its summary too.
        var summary = await WaitForSummaryAsync(name);
        Assert.Equal("rejected", summary["status"]!.GetValue<string>());
        Assert.Equal(record["reason"]!.GetValue<string>(), summary["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task RetriableFailure_IsRetriedThenPoisoned()
    {
        var name = $"leased-{Guid.NewGuid():N}.jsonl";
        await Inputs.GetBlobClient(name).UploadAsync(BinaryData.FromString("{\"id\":1,\"text\":\"fine\"}\n"));
        // A lease held elsewhere makes every block write fail: a failure that may pass later, so it is retried.
        var output = Outputs.GetBlobClient(name);
        await output.UploadAsync(BinaryData.FromString(string.Empty));
        await output.GetBlobLeaseClient().AcquireAsync(TimeSpan.FromSeconds(-1));
        var message = JsonSerializer.Serialize(new { input = $"inputs/{name}", output = $"outputs/{name}" });

        await host.Queue(host.QueueName).SendMessageAsync(message);

        await LocalHostFixture.WaitUntilAsync(
            async () => (await host.Queue(host.PoisonQueueName).PeekMessagesAsync(32)).Value.Any(m => m.Body.ToString() == message),
            TimeSpan.FromMinutes(1),
            "the message in the poison queue");
        var rejected = await host.Queue(host.RejectedQueueName).PeekMessagesAsync(32);
        Assert.DoesNotContain(rejected.Value, m => m.Body.ToString().Contains(name, StringComparison.Ordinal));
    }

    private Azure.Storage.Blobs.BlobContainerClient Inputs => host.Blobs.GetBlobContainerClient("inputs");

    private Azure.Storage.Blobs.BlobContainerClient Outputs => host.Blobs.GetBlobContainerClient("outputs");

    private async Task<JsonNode> WaitForSummaryAsync(string output)
    {
        var summary = Outputs.GetBlobClient(output + ".summary.json");
        await LocalHostFixture.WaitUntilAsync(async () => (await summary.ExistsAsync()).Value, TimeSpan.FromMinutes(3), $"{output}.summary.json");
        return JsonNode.Parse((await summary.DownloadContentAsync()).Value.Content.ToString())!;
    }

    private async Task<List<JsonNode>> ReadLinesAsync(string output) =>
        [.. (await Outputs.GetBlobClient(output).DownloadContentAsync()).Value.Content.ToString().TrimEnd('\n').Split('\n').Select(l => JsonNode.Parse(l)!)];
}
