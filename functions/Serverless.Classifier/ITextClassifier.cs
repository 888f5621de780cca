using Serverless.Classifier.Model;

namespace Serverless.Classifier;

/// <summary>
/// Classifies texts with the loaded model package. Thread-safe; one instance per process. Errors are
/// <see cref="ClassifierException"/>s whose <see cref="ClassifierException.Kind"/> tells adapters how to answer.
/// </summary>
public interface ITextClassifier
{
    /// <summary>The manifest of the model being served, or null until one has loaded.</summary>
    ModelManifest? Manifest { get; }

    /// <summary>The ONNX Runtime execution provider in use (<c>cpu</c> or <c>cuda</c>), or null until a model has loaded.</summary>
    string? ExecutionProvider { get; }

    /// <summary>The GPU the sessions run on (name and memory) when the provider is CUDA; null on CPU or before a load.</summary>
    string? ExecutionDevice { get; }

    /// <summary>The tokenizer of the model being served, or null until one has loaded.</summary>
    Tokenization.WordPieceTextTokenizer? Tokenizer { get; }

    /// <summary>Why the last load failed (one line, no secrets), or null after a successful load.</summary>
    string? LoadError { get; }

    /// <summary>Loads the configured model package if none is loaded yet. Safe to call concurrently and repeatedly.</summary>
    Task LoadAsync(CancellationToken cancellationToken);

    /// <summary>Classifies every text of the request with one head of the model being served; loads it first if needed.</summary>
    Task<ClassificationResult> ClassifyAsync(ClassificationRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Pins the model being served (loading it first if needed): every call through the result runs on that version,
    /// even after a newer one is swapped in, until the result is disposed. For work that must not mix versions, such
    /// as a batch job.
    /// </summary>
    Task<PinnedModel> PinModelAsync(CancellationToken cancellationToken);
}
