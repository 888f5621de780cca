using Microsoft.Extensions.DependencyInjection;
using Serverless.Classifier;

namespace ModelExport.Commands;

/// <summary>The service's own classifier (same DI registration, options and code path) over a package folder.</summary>
internal sealed class ServingClassifier : IDisposable
{
    public const int ChunkSize = 256;

    private readonly ServiceProvider _services;

    public ServingClassifier(CommandContext context, string modelDirectory)
    {
        var services = new ServiceCollection();
        services.AddSingleton(context.LoggerFactory);
        services.AddLogging();
        services.AddTextClassifier().Configure(options =>
        {
            options.ModelPath = modelDirectory;
            options.MaxInputsPerRequest = ChunkSize;
        });
        _services = services.BuildServiceProvider();
        Classifier = _services.GetRequiredService<ITextClassifier>();
    }

    public ITextClassifier Classifier { get; }

    /// <summary>Classifies texts in chunks, yielding each text's ranked labels in order.</summary>
    public async IAsyncEnumerable<IReadOnlyList<LabelScore>> ClassifyAsync(
        IEnumerable<string> texts, string? head, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var chunk in texts.Chunk(ChunkSize))
        {
            var result = await Classifier.ClassifyAsync(new ClassificationRequest { Texts = chunk, Head = head }, cancellationToken);
            foreach (var prediction in result.Predictions)
            {
                yield return prediction;
            }
        }
    }

    public void Dispose() => _services.Dispose();
}
