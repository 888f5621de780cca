using System.Text.Json.Nodes;

namespace Serverless.Classifier.Functions.Tests;

/// <summary>The Functions build output: the bindings the SDK generated and the linked host.json.</summary>
public sealed class BuildOutputTests
{
    // artifacts/bin/Serverless.Classifier.Functions.Tests/<configuration>/ -> artifacts/bin/Serverless.Classifier.Functions/<configuration>/
    private static readonly string FunctionsOutput = Path.GetFullPath(Path.Combine(
        AppContext.BaseDirectory, "..", "..", "Serverless.Classifier.Functions", new DirectoryInfo(AppContext.BaseDirectory).Name));

    [Fact]
    public void FunctionsMetadata_HasTheHttpRoutesAndTheQueueTrigger()
    {
        var functions = JsonNode.Parse(File.ReadAllText(Path.Combine(FunctionsOutput, "functions.metadata")))!.AsArray()
            .ToDictionary(f => f!["name"]!.GetValue<string>(), f => f!["bindings"]!.AsArray()[0]!);

        Assert.Equal(["ClassifyHttp", "ClassifyQueue", "Health", "Models", "OpenApi", "Ready", "TeiInfo", "TeiPredict", "TeiTokenize"], functions.Keys.Order());
        AssertHttp(functions["TeiPredict"], "predict", "post", "Function");
        AssertHttp(functions["TeiInfo"], "info", "get", "Anonymous");
        AssertHttp(functions["ClassifyHttp"], "classify", "post", "Function");
        AssertHttp(functions["Health"], "health", "get", "Anonymous");
        AssertHttp(functions["Ready"], "ready", "get", "Anonymous");
        AssertHttp(functions["Models"], "models", "get", "Anonymous");
        AssertHttp(functions["OpenApi"], "openapi.json", "get", "Anonymous");
        var queue = functions["ClassifyQueue"];
        Assert.Equal("queueTrigger", queue["type"]!.GetValue<string>());
        Assert.Equal("%ClassifyQueueName%", queue["queueName"]!.GetValue<string>());
        Assert.Equal("AzureWebJobsStorage", queue["connection"]!.GetValue<string>());
        Assert.Equal("String", queue["dataType"]!.GetValue<string>());
    }

    [Fact]
    public void HostJson_IsLinkedIntoTheOutputWithOneJobAtATimePerInstance()
    {
        var host = JsonNode.Parse(File.ReadAllText(Path.Combine(FunctionsOutput, "host.json")))!;
        var queues = host["extensions"]!["queues"]!;

        Assert.Equal("2.0", host["version"]!.GetValue<string>());
        Assert.Equal(1, queues["batchSize"]!.GetValue<int>());
        Assert.Equal(0, queues["newBatchThreshold"]!.GetValue<int>());
        Assert.Equal(5, queues["maxDequeueCount"]!.GetValue<int>());
        Assert.Equal("none", queues["messageEncoding"]!.GetValue<string>());
        Assert.Equal("api", host["extensions"]!["http"]!["routePrefix"]!.GetValue<string>());
    }

    private static void AssertHttp(JsonNode binding, string route, string method, string authLevel)
    {
        Assert.Equal("httpTrigger", binding["type"]!.GetValue<string>());
        Assert.Equal(route, binding["route"]!.GetValue<string>());
        Assert.Equal([method], binding["methods"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Equal(authLevel, binding["authLevel"]!.GetValue<string>());
    }
}
