using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Classifier.Hosting;
using Serverless.Classifier.Hosting.Http;

namespace Serverless.Classifier.LocalHost.Tests;

/// <summary>CUDA configured where it cannot load: not ready, and /api/ready says why, instead of serving on the CPU.</summary>
[Collection(StorageCollection.Name)]
public sealed class ExecutionProviderTests(AzuriteFixture storage)
{
    [Fact]
    public async Task Ready_CudaConfiguredOnACpuBuild_Is503WithTheReason()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = storage.ConnectionString,
            ["Classifier:ModelPath"] = TestPaths.DefaultModel,
            ["Classifier:ExecutionProvider"] = "cuda",
        }).Build();
        await using var services = new ServiceCollection().AddLogging().AddClassifierService(configuration).BuildServiceProvider();
        var classifier = services.GetRequiredService<ITextClassifier>();
        await Assert.ThrowsAsync<ClassifierException>(() => classifier.LoadAsync(TestContext.Token));
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();

        await services.GetRequiredService<ClassifierHttpApi>().ReadyAsync(context);

        Assert.Equal(503, context.Response.StatusCode);
        Assert.Equal("10", context.Response.Headers.RetryAfter.ToString());
        context.Response.Body.Position = 0;
        var problem = JsonNode.Parse(context.Response.Body)!;
        Assert.Equal("urn:serverless-classifier:problem:model-unavailable", problem["type"]!.GetValue<string>());
        Assert.StartsWith("No model is loaded: Classifier:ExecutionProvider is 'cuda' but this build has ONNX Runtime's CPU package", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
