using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Serverless.Classifier.Inference;
using Serverless.Classifier.Model;

namespace Serverless.Classifier.Tests;

/// <summary>The default model package (real arctic-embed-xs encoder and sentiment head), loaded once per test class.</summary>
public sealed class DefaultModelFixture : IAsyncLifetime
{
    private ServiceProvider? _services;

    internal ITextClassifier Classifier => _services!.GetRequiredService<ITextClassifier>();

    internal TextClassifier TextClassifier => _services!.GetRequiredService<TextClassifier>();

    internal static ServiceProvider CreateServices(string modelPath, Action<ClassifierOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddTextClassifier().Configure(options =>
        {
            options.ModelPath = modelPath;
            configure?.Invoke(options);
        });
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    internal static Task<ClassifierModel> LoadModelAsync(string directory, CancellationToken cancellationToken) =>
        ClassifierModel.LoadAsync(directory, new OnnxSessionFactory(new ClassifierOptions(), NullLogger.Instance), NullLogger.Instance, cancellationToken);

    public async Task InitializeAsync()
    {
        _services = CreateServices(TestPaths.DefaultModel);
        await Classifier.LoadAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }
}
