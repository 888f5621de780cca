using Microsoft.Azure.WebJobs;
using Serverless.Classifier.Hosting;
using Serverless.Classifier.Hosting.Http;

namespace Serverless.Classifier.LocalHost;

/// <summary>
/// The local host: the Functions app's HTTP routes on Kestrel (127.0.0.1:7071 unless --urls says otherwise) and its
/// queue handler on the WebJobs SDK listener, over the same hosting library. With no storage configured (or
/// UseDevelopmentStorage=true) and nothing on Azurite's ports, it starts Azurite from the repo's npm package and stops
/// it on exit; it then creates containers and queues and seeds the default model.
/// </summary>
internal sealed class LocalHostApp : IAsyncDisposable
{
    public const string DefaultUrl = "http://127.0.0.1:7071";
    private const string DevelopmentStorage = "UseDevelopmentStorage=true";

    private readonly Azurite? _azurite;

    private LocalHostApp(WebApplication app, Azurite? azurite)
    {
        App = app;
        _azurite = azurite;
    }

    public WebApplication App { get; }

    public IServiceProvider Services => App.Services;

    public static async Task<LocalHostApp> BuildAsync(string[] args, IDictionary<string, string?>? overrides, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Classifier:ModelName"] = "arctic-xs-sentiment",
                ["ClassifyQueueName"] = "classify-jobs",
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                ["Logging:LogLevel:Azure"] = "Warning",
                ["Logging:LogLevel:Azure.Core"] = "Error",
                ["Logging:LogLevel:Host"] = "Warning",
                ["Logging:LogLevel:Microsoft.Azure.WebJobs"] = "Warning",
            },
        });
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        if (string.IsNullOrWhiteSpace(builder.Configuration["urls"]) && string.IsNullOrWhiteSpace(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        Azurite? azurite = null;
        var storage = builder.Configuration["AzureWebJobsStorage"];
        if ((string.IsNullOrWhiteSpace(storage) || storage == DevelopmentStorage) && builder.Configuration["AzureWebJobsStorage:accountName"] is null)
        {
            if (!Azurite.DefaultPortsInUse())
            {
                var data = Path.Combine(RepositoryRoot.Find(), ".azurite");
                Console.WriteLine($"Starting Azurite on 127.0.0.1:10000-10002 (data in {data})...");
                azurite = await Azurite.StartAsync(data, 10000, 10001, 10002, Console.Error, cancellationToken);
            }

            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = DevelopmentStorage });
        }

        // The bootstrapper starts first: containers, queues and the seeded model exist before the model loads.
        builder.Services.AddSingleton(Console.Out);
        builder.Services.AddHostedService<StorageBootstrapper>();
        builder.Services.AddClassifierService(builder.Configuration);
        var hostJson = Path.Combine(AppContext.BaseDirectory, "host.json");
        builder.Host.ConfigureWebJobs(webJobs => webJobs.AddAzureStorageQueues(options => HostJsonQueues.Apply(options, hostJson, builder.Configuration)));
        builder.Services.AddSingleton<ITypeLocator, QueueFunctionsTypeLocator>();

        var app = builder.Build();
        var api = app.Services.GetRequiredService<ClassifierHttpApi>();
        ClassifierRoutes.Map(app, api);
        app.Lifetime.ApplicationStarted.Register(() => PrintUsage(app));
        return new LocalHostApp(app, azurite);
    }

    public Task RunAsync() => App.RunAsync();

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }

    /// <summary>Indexes only <see cref="QueueFunctions"/>, whatever assemblies are loaded (tests load many).</summary>
    private sealed class QueueFunctionsTypeLocator : ITypeLocator
    {
        public IReadOnlyList<Type> GetTypes() => [typeof(QueueFunctions)];
    }

    private static void PrintUsage(WebApplication app)
    {
        var url = app.Urls.FirstOrDefault() ?? DefaultUrl;
        var queue = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Hosting.Jobs.JobOptions>>().Value.QueueName;
        Console.WriteLine(Usage(url, queue, app.Configuration[HostingServiceCollectionExtensions.HostStorageConnection]));
    }

    /// <summary>What the host prints when it starts: calls to try, and the exact jobs command (with the connection
    /// string only when it is Azurite's well-known one, never a real account's).</summary>
    internal static string Usage(string url, string queue, string? storage)
    {
        var development = storage is null || storage == DevelopmentStorage;
        var azurite = development || storage!.Contains(Azurite.DevelopmentAccountKey, StringComparison.Ordinal);
        var connection = development ? string.Empty : azurite ? $" --connection '{storage}'" : " --connection <the AzureWebJobsStorage connection string>";
        var shown = development ? "Azurite (UseDevelopmentStorage=true)" : azurite ? storage : "the configured AzureWebJobsStorage (not printed: it is not Azurite's)";
        var queueOption = queue == "classify-jobs" ? string.Empty : $" --queue {queue}";
        return $$"""
            Serverless classifier (local host) listening on {{url}}
              curl -s -X POST {{url}}/api/classify -H 'content-type: application/json' -d '{"inputs":["I love it","awful, never again"]}'
              curl -s {{url}}/api/ready    curl -s {{url}}/api/models    curl -s {{url}}/api/openapi.json
            Text Embeddings Inference clients: {{url}}/predict, /tokenize and /info (also under /api).
            Batch jobs (JSON Lines, CSV or text lines; progress, then the output beside the file):
              dotnet run --project model-export -- jobs submit data/sentiment/test.jsonl --wait{{connection}}{{queueOption}}
            Storage: {{shown}}
            Press Ctrl+C to stop (Azurite stops too if this host started it).
            """;
    }
}
