using Azure.Storage.Blobs;
using Microsoft.Extensions.Hosting;
using Serverless.Classifier.Hosting.Jobs;

namespace Serverless.Classifier.Hosting;

/// <summary>
/// Builds the storage clients when the host starts, so a missing or malformed storage setting stops start-up with a
/// <see cref="StorageConfigurationException"/> naming the setting, instead of failing later in every model load and job.
/// </summary>
internal sealed class StorageStartupCheck(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = services.GetService(typeof(BlobServiceClient));
        _ = services.GetService(typeof(QueueServiceClientFactory));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
