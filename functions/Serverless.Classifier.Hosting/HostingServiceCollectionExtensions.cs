using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Serverless.Classifier.Hosting.Diagnostics;
using Serverless.Classifier.Hosting.Http;
using Serverless.Classifier.Hosting.Jobs;

namespace Serverless.Classifier.Hosting;

/// <summary>The composition both hosts (the Functions app and the local host) use.</summary>
public static class HostingServiceCollectionExtensions
{
    /// <summary>The connection the Functions host uses for its own storage and the queue trigger.</summary>
    public const string HostStorageConnection = "AzureWebJobsStorage";

    /// <summary>
    /// Adds the whole service behind the HTTP and queue triggers: the engine (options from the <c>Classifier</c>
    /// section; models from blob storage or <c>Classifier:ModelPath</c>, polled for new versions), the storage clients
    /// (models and job blobs on <c>Classifier:StorageConnection</c> when configured, else on AzureWebJobsStorage; job
    /// queues on AzureWebJobsStorage), the HTTP API handlers and the batch job processor (options from <c>Jobs</c>; the
    /// queue name also from <c>ClassifyQueueName</c>).
    /// </summary>
    public static IServiceCollection AddClassifierService(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddTextClassifier().Bind(configuration.GetSection(ClassifierOptions.SectionName));
        // Before the model refresh: a bad storage setting stops start-up with one line naming it.
        services.AddHostedService<StorageStartupCheck>();
        services.AddModelRefresh();
        services.AddOptions<JobOptions>()
            .Bind(configuration.GetSection(JobOptions.SectionName))
            .PostConfigure(o => o.QueueName = configuration["ClassifyQueueName"] is { Length: > 0 } queue ? queue : o.QueueName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.TryAddSingleton(provider =>
        {
            var name = provider.GetRequiredService<IOptions<ClassifierOptions>>().Value.StorageConnection;
            return StorageClients.FromConfiguration(configuration, StorageClients.IsConfigured(configuration, name) ? name : HostStorageConnection).Blobs();
        });
        services.TryAddSingleton(_ => new QueueServiceClientFactory(StorageClients.FromConfiguration(configuration, HostStorageConnection)));
        services.AddClassifierTelemetry(configuration);
        services.TryAddSingleton<ClassifierHttpApi>();
        services.TryAddSingleton(provider => new ClassifyJobProcessor(
            provider.GetRequiredService<ITextClassifier>(),
            provider.GetRequiredService<BlobServiceClient>(),
            provider.GetRequiredService<QueueServiceClientFactory>(),
            provider.GetRequiredService<IOptions<JobOptions>>(),
            provider.GetRequiredService<IOptions<ClassifierOptions>>(),
            provider.GetRequiredService<Microsoft.Extensions.Logging.ILogger<ClassifyJobProcessor>>()));
        return services;
    }
}
