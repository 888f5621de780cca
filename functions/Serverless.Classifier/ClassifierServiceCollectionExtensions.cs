using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Classifier.Model;
using Serverless.Classifier.Storage;

namespace Serverless.Classifier;

/// <summary>Registers the engine: the classifier, its model source and the model refresh service.</summary>
public static class ClassifierServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ITextClassifier"/> (a singleton). The model comes from <see cref="ClassifierOptions.ModelPath"/>
    /// (a package folder) when it is set, else from blob storage (<see cref="ClassifierOptions.ModelContainer"/>,
    /// <see cref="ClassifierOptions.ModelName"/>, <see cref="ClassifierOptions.ModelVersion"/>) through the
    /// <see cref="BlobServiceClient"/> the host registers. Options are validated at start; bind or configure them on the
    /// returned builder.
    /// </summary>
    public static OptionsBuilder<ClassifierOptions> AddTextClassifier(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<IModelSource>(CreateModelSource);
        services.TryAddSingleton<TextClassifier>();
        services.TryAddSingleton<ITextClassifier>(provider => provider.GetRequiredService<TextClassifier>());
        return services.AddOptions<ClassifierOptions>()
            .ValidateDataAnnotations()
            .Validate(
                o => !string.IsNullOrWhiteSpace(o.ModelPath) || !string.IsNullOrWhiteSpace(o.ModelName),
                "Neither Classifier:ModelName (a model in blob storage) nor Classifier:ModelPath (a package folder) is set; set one (app settings Classifier__ModelName or Classifier__ModelPath).")
            .ValidateOnStart();
    }

    /// <summary>
    /// Adds the hosted service that loads the model at start (retrying while the source is unavailable) and polls the
    /// source for new versions every <see cref="ClassifierOptions.ModelRefreshSeconds"/>, swapping them in.
    /// </summary>
    public static IServiceCollection AddModelRefresh(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddHostedService<ModelRefreshService>();
        return services;
    }

    private static IModelSource CreateModelSource(IServiceProvider provider)
    {
        var options = provider.GetRequiredService<IOptions<ClassifierOptions>>().Value;
        if (!string.IsNullOrWhiteSpace(options.ModelPath))
        {
            return new FileModelSource(options.ModelPath);
        }

        var blobs = provider.GetService<BlobServiceClient>() ?? throw new OptionsValidationException(
            ClassifierOptions.SectionName,
            typeof(ClassifierOptions),
            [$"Classifier:ModelName is '{options.ModelName}' (a model in blob storage) but no storage connection is registered; set Classifier:ModelPath to a package folder, or configure the storage connection (AzureWebJobsStorage or Classifier:StorageConnection)."]);
        var cache = options.CachePath ?? Path.Combine(Path.GetTempPath(), "serverless-classifier", "models");
        return new BlobModelSource(blobs.GetBlobContainerClient(options.ModelContainer), options.ModelName!, options.ModelVersion, cache, provider.GetRequiredService<ILogger<BlobModelSource>>());
    }
}
