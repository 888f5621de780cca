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

    /// <summary>Classifies texts in chunks (each chunk on one pinned model version), yielding each text's scores in order.</summary>
    public async IAsyncEnumerable<ScoredText> ClassifyAsync(
        IEnumerable<string> texts,
        string? head,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken,
        Chunking? chunking = null,
        Serverless.Classifier.Model.Activation? functionToApply = null)
    {
        foreach (var chunk in texts.Chunk(ChunkSize))
        {
            var result = await Classifier.ClassifyAsync(
                new ClassificationRequest { Texts = chunk, Head = head, Chunking = chunking, FunctionToApply = functionToApply }, cancellationToken);
            foreach (var text in result.Texts)
            {
                yield return new ScoredText(result.Labels, text.Scores);
            }
        }
    }

    public void Dispose() => _services.Dispose();
}

/// <summary>One text's scores in label order.</summary>
internal sealed record ScoredText(IReadOnlyList<string> Labels, IReadOnlyList<float> Scores)
{
    /// <summary>The index of the best label (the first of equal scores).</summary>
    public int Best => Enumerable.Range(0, Scores.Count).MaxBy(i => Scores[i]);

    /// <summary>Labels with scores, highest first (ties in label order), as the service's HTTP API returns them.</summary>
    public IEnumerable<(string Label, float Score)> Ranked() =>
        Enumerable.Range(0, Scores.Count).OrderByDescending(i => Scores[i]).ThenBy(i => i).Select(i => (Labels[i], Scores[i]));
}
