using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Classifier.Api;
using Serverless.Classifier.Jobs;
using Serverless.Classifier.Model;
using Serverless.Classifier.Storage;

namespace Serverless.Classifier;

/// <summary>Registers the classifier.</summary>
public static class ClassifierServiceCollectionExtensions
{
    /// <summary>The connection the Functions host uses for its own storage and the queue trigger.</summary>
    public const string HostStorageConnection = "AzureWebJobsStorage";

    /// <summary>
    /// Adds <see cref="ITextClassifier"/> (a singleton) reading the model package at <see cref="ClassifierOptions.ModelPath"/>.
    /// Options are validated at start; bind or configure them on the returned builder.
    /// </summary>
    public static OptionsBuilder<ClassifierOptions> AddTextClassifier(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<IModelSource>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<ClassifierOptions>>().Value;
            return string.IsNullOrWhiteSpace(options.ModelPath)
                ? throw new OptionsValidationException(
                    ClassifierOptions.SectionName,
                    typeof(ClassifierOptions),
                    ["Classifier:ModelPath is not set; set it (app setting Classifier__ModelPath) to a model package folder such as models/default."])
                : new FileModelSource(options.ModelPath);
        });
        services.TryAddSingleton<TextClassifier>();
        services.TryAddSingleton<ITextClassifier>(provider => provider.GetRequiredService<TextClassifier>());
        return services.AddOptions<ClassifierOptions>().ValidateDataAnnotations().ValidateOnStart();
    }

    /// <summary>
    /// Adds the whole service behind the HTTP and queue triggers: the classifier (options from the <c>Classifier</c>
    /// section), models from blob storage (<c>Classifier:ModelContainer/ModelName/ModelVersion</c>, polled for new
    /// versions) or from <c>Classifier:ModelPath</c>, the HTTP API handlers and the batch job processor (options from
    /// <c>Jobs</c>; the queue name also from <c>ClassifyQueueName</c>). Used by the Functions app and the local host alike.
    /// </summary>
    public static IServiceCollection AddClassifierService(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddTextClassifier()
            .Bind(configuration.GetSection(ClassifierOptions.SectionName))
            .Validate(
                o => !string.IsNullOrWhiteSpace(o.ModelPath) || !string.IsNullOrWhiteSpace(o.ModelName),
                "Neither Classifier:ModelName (a model in blob storage) nor Classifier:ModelPath (a package folder) is set; set one (app settings Classifier__ModelName or Classifier__ModelPath).");
        services.AddOptions<JobOptions>()
            .Bind(configuration.GetSection(JobOptions.SectionName))
            .PostConfigure(o => o.QueueName = configuration["ClassifyQueueName"] is { Length: > 0 } queue ? queue : o.QueueName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.Replace(ServiceDescriptor.Singleton<IModelSource>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<ClassifierOptions>>().Value;
            if (!string.IsNullOrWhiteSpace(options.ModelPath))
            {
                return new FileModelSource(options.ModelPath);
            }

            var container = provider.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(options.ModelContainer);
            var cache = options.CachePath ?? Path.Combine(Path.GetTempPath(), "serverless-classifier", "models");
            return new BlobModelSource(container, options.ModelName!, options.ModelVersion, cache, provider.GetRequiredService<ILogger<BlobModelSource>>());
        }));

        // Models and batch blobs use Classifier:StorageConnection when configured, else the host's storage.
        services.TryAddSingleton(provider =>
        {
            var name = provider.GetRequiredService<IOptions<ClassifierOptions>>().Value.StorageConnection;
            return StorageClients.FromConfiguration(configuration, StorageClients.IsConfigured(configuration, name) ? name : HostStorageConnection).Blobs();
        });
        services.TryAddSingleton(_ => new QueueServiceClientFactory(StorageClients.FromConfiguration(configuration, HostStorageConnection)));
        services.TryAddSingleton<ClassifierHttpApi>();
        services.TryAddSingleton(provider => new ClassifyJobProcessor(
            provider.GetRequiredService<ITextClassifier>(),
            provider.GetRequiredService<BlobServiceClient>(),
            provider.GetRequiredService<QueueServiceClientFactory>(),
            provider.GetRequiredService<IOptions<JobOptions>>(),
            provider.GetRequiredService<IOptions<ClassifierOptions>>(),
            provider.GetRequiredService<ILogger<ClassifyJobProcessor>>()));
        services.AddHostedService<ModelRefreshService>();
        return services;
    }
}
