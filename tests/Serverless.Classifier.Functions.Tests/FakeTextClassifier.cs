using Serverless.Classifier.Model;

namespace Serverless.Classifier.Functions.Tests;

/// <summary>An <see cref="ITextClassifier"/> that returns a fixed answer per text, or throws a chosen error.</summary>
internal sealed class FakeTextClassifier : ITextClassifier
{
    public ClassifierException? Failure { get; set; }

    public ClassificationRequest? LastRequest { get; private set; }

    /// <summary>An exception nothing maps (a bug), thrown by <see cref="ClassifyAsync"/> and by reading <see cref="Manifest"/>.</summary>
    public Exception? Unexpected { get; set; }

    public ModelManifest? Manifest
    {
        get => Unexpected is null ? field : throw Unexpected;
        set;
    }

    public string? ExecutionProvider { get; set; } = "cpu";

    public string? ExecutionDevice { get; set; }

    public string? LoadError { get; set; }

    public Serverless.Classifier.Tokenization.WordPieceTextTokenizer? Tokenizer => null;

    public Task LoadAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<ClassificationResult> ClassifyAsync(ClassificationRequest request, CancellationToken cancellationToken)
    {
        LastRequest = request;
        if (Unexpected is not null)
        {
            throw Unexpected;
        }

        if (Failure is not null)
        {
            throw Failure;
        }

        // Label order: negative, positive.
        var texts = request.Texts
            .Select(t => new TextScores(t.Contains("love", StringComparison.Ordinal) ? [0.1f, 0.9f] : [0.8f, 0.2f], null))
            .ToList();
        return Task.FromResult(new ClassificationResult
        {
            Labels = ["negative", "positive"],
            Texts = texts,
            Activation = Activation.Softmax,
            ModelName = "fake",
            ModelVersion = "9.9.9",
            Head = request.Head ?? "sentiment",
            TokenizeMs = 0.25,
            QueueMs = 0.5,
            InferenceMs = 1.75,
        });
    }

    public Task<PinnedModel> PinModelAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new PinnedModel(Manifest ?? SampleManifest(), ExecutionProvider ?? "cpu", ClassifyAsync, () => { }));

    public static ModelManifest SampleManifest() => new()
    {
        SchemaVersion = 1,
        Name = "fake",
        Version = "9.9.9",
        Encoder = new EncoderManifest { File = "encoder.onnx", Sha256 = new string('a', 64), HiddenSize = 384 },
        Tokenizer = new TokenizerManifest { File = "vocab.txt", Sha256 = new string('b', 64) },
        Heads = [new HeadManifest { Name = "sentiment", File = "heads/sentiment.onnx", Sha256 = new string('c', 64), Labels = ["negative", "positive"] }],
        DefaultHead = "sentiment",
    };
}
