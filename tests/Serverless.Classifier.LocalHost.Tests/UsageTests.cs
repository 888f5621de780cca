namespace Serverless.Classifier.LocalHost.Tests;

/// <summary>What the local host prints at start: the exact jobs command, and a connection string only when it is Azurite's.</summary>
public sealed class UsageTests
{
    [Fact]
    public void Usage_DevelopmentStorage_PrintsTheJobsCommandWithoutAConnection()
    {
        var usage = LocalHostApp.Usage("http://127.0.0.1:7071", "classify-jobs", "UseDevelopmentStorage=true");

        Assert.Contains("  dotnet run --project model-export -- jobs submit data/sentiment/test.jsonl --wait\n", usage.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("Storage: Azurite (UseDevelopmentStorage=true)", usage, StringComparison.Ordinal);
        Assert.Contains("Text Embeddings Inference clients: http://127.0.0.1:7071/predict, /tokenize and /info (also under /api).", usage, StringComparison.Ordinal);
    }

    [Fact]
    public void Usage_AzuriteOnOtherPorts_PrintsItsConnectionStringAndTheQueue()
    {
        var azurite = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Azurite.DevelopmentAccountKey};BlobEndpoint=http://127.0.0.1:41000/devstoreaccount1;";

        var usage = LocalHostApp.Usage("http://127.0.0.1:7071", "my-jobs", azurite);

        Assert.Contains($"jobs submit data/sentiment/test.jsonl --wait --connection '{azurite}' --queue my-jobs", usage, StringComparison.Ordinal);
    }

    [Fact]
    public void Usage_RealAccount_NeverPrintsItsConnectionString()
    {
        const string real = "DefaultEndpointsProtocol=https;AccountName=prod;AccountKey=c2VjcmV0LWtleS1ub3QtdG8tcHJpbnQ=;EndpointSuffix=core.windows.net";

        var usage = LocalHostApp.Usage("http://127.0.0.1:7071", "classify-jobs", real);

        Assert.DoesNotContain("c2VjcmV0", usage, StringComparison.Ordinal);
        Assert.Contains("--connection <the AzureWebJobsStorage connection string>", usage, StringComparison.Ordinal);
    }
}
