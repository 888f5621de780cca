using Azure.Storage.Blobs;
using Microsoft.Extensions.Options;
using Serverless.Classifier.Hosting;
using Serverless.Classifier.Hosting.Jobs;
using Serverless.Classifier.Model;
using Serverless.Classifier.Storage;

namespace Serverless.Classifier.LocalHost;

/// <summary>
/// Before the service starts: creates the model and job containers and the job queues (with poison and rejected), and
/// publishes the default model package when the configured model has no <c>latest.json</c> yet.
/// </summary>
internal sealed class StorageBootstrapper(
    BlobServiceClient blobs, IConfiguration configuration, IOptions<ClassifierOptions> classifierOptions, IOptions<JobOptions> jobOptions, TextWriter console) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await CreateAndSeedAsync(cancellationToken);
        }
        catch (Azure.RequestFailedException exception)
        {
            throw StorageClients.FromConfiguration(configuration, HostingServiceCollectionExtensions.HostStorageConnection).Refused(exception);
        }
    }

    private async Task CreateAndSeedAsync(CancellationToken cancellationToken)
    {
        var options = classifierOptions.Value;
        var jobs = jobOptions.Value;
        foreach (var container in jobs.InputContainers.Concat(jobs.OutputContainers).Append(options.ModelContainer).Distinct())
        {
            await blobs.GetBlobContainerClient(container).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }

        var queues = StorageClients.FromConfiguration(configuration, HostingServiceCollectionExtensions.HostStorageConnection);
        foreach (var queue in new[] { jobs.QueueName, jobs.QueueName + "-poison", jobs.RejectedQueueName })
        {
            await queues.Queue(queue).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }

        // The int8 variant when the build made it (it passed its accuracy gate), else the fp32 package; docs/benchmarks.md.
        var defaultModel = Path.Combine(AppContext.BaseDirectory, "models", "default-int8");
        if (!File.Exists(Path.Combine(defaultModel, ModelManifest.FileName)))
        {
            defaultModel = Path.Combine(AppContext.BaseDirectory, "models", "default");
        }

        if (!string.IsNullOrWhiteSpace(options.ModelPath) || !configuration.GetValue("Seed:DefaultModel", true) || !File.Exists(Path.Combine(defaultModel, ModelManifest.FileName)))
        {
            return;
        }

        var models = blobs.GetBlobContainerClient(options.ModelContainer);
        if (!await models.GetBlobClient($"{options.ModelName}/{ModelRelease.FileName}").ExistsAsync(cancellationToken))
        {
            var manifest = await ModelPublisher.PublishAsync(models, defaultModel, options.ModelName, version: null, promote: true, cancellationToken);
            await console.WriteLineAsync($"Seeded the default model {manifest.Name} {manifest.Version} into '{options.ModelContainer}'.");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
