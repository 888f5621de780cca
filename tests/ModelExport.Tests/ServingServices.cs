using Microsoft.Extensions.DependencyInjection;
using Serverless.Classifier;

namespace ModelExport.Tests;

/// <summary>The engine as the service registers it (public surface only), to check what the CLI wrote.</summary>
internal static class ServingServices
{
    public static ServiceProvider Create(Action<ClassifierOptions> configure, Action<IServiceCollection>? add = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddTextClassifier().Configure(configure);
        add?.Invoke(services);
        return services.BuildServiceProvider();
    }
}
