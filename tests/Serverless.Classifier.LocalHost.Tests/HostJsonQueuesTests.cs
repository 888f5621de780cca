using Microsoft.Azure.WebJobs.Host;
using Microsoft.Extensions.Configuration;

namespace Serverless.Classifier.LocalHost.Tests;

public sealed class HostJsonQueuesTests
{
    [Fact]
    public void Apply_RepositoryHostJsonAndAnOverride_ConfiguresTheListenerLikeTheFunctionsHost()
    {
        var options = new QueuesOptions();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "3" })
            .Build();

        HostJsonQueues.Apply(options, Path.Combine(AppContext.BaseDirectory, "host.json"), configuration);

        Assert.Equal(1, options.BatchSize);
        Assert.Equal(0, options.NewBatchThreshold);
        Assert.Equal(3, options.MaxDequeueCount);
        Assert.Equal(TimeSpan.FromSeconds(30), options.VisibilityTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), options.MaxPollingInterval);
        // The processor takes base64 or plain JSON itself, so a message that is neither is rejected with a reason
        // instead of failing to decode in the listener.
        Assert.Equal(Azure.Storage.Queues.QueueMessageEncoding.None, options.MessageEncoding);
    }

    [Fact]
    public void Apply_UnknownSetting_SaysWhichOne()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["AzureFunctionsJobHost:extensions:queues:maxPollingIntervalMs"] = "5" })
            .Build();

        var exception = Assert.Throws<InvalidOperationException>(() => HostJsonQueues.Apply(new QueuesOptions(), "missing-host.json", configuration));

        Assert.Contains("extensions.queues.maxPollingIntervalMs is not supported", exception.Message, StringComparison.Ordinal);
    }
}
