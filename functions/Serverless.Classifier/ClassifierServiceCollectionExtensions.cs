using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Serverless.Classifier.Model;

namespace Serverless.Classifier;

/// <summary>Registers the classifier.</summary>
public static class ClassifierServiceCollectionExtensions
{
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
}
