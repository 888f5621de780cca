using Serverless.Classifier.Model;

namespace Serverless.Classifier;

/// <summary>
/// One model version held for as long as this object lives (see <see cref="ITextClassifier.PinModelAsync"/>). A hot
/// swap does not affect it; the version is disposed when the last holder lets go. Thread-safe; dispose it once done.
/// </summary>
public sealed class PinnedModel : IDisposable
{
    private readonly Func<ClassificationRequest, CancellationToken, Task<ClassificationResult>> _classify;
    private Action? _release;

    /// <summary>For <see cref="ITextClassifier"/> implementations (and their test doubles).</summary>
    /// <param name="manifest">The pinned version's manifest.</param>
    /// <param name="executionProvider">The provider its sessions run on.</param>
    /// <param name="classify">Classifies on that version.</param>
    /// <param name="release">Called once, on the first <see cref="Dispose"/>.</param>
    public PinnedModel(ModelManifest manifest, string executionProvider, Func<ClassificationRequest, CancellationToken, Task<ClassificationResult>> classify, Action release)
    {
        Manifest = manifest;
        ExecutionProvider = executionProvider;
        _classify = classify;
        _release = release;
    }

    /// <summary>The pinned package's manifest.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>The execution provider its sessions run on.</summary>
    public string ExecutionProvider { get; }

    /// <summary>Classifies every text of the request on the pinned version.</summary>
    public Task<ClassificationResult> ClassifyAsync(ClassificationRequest request, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _release) is null, this);
        return _classify(request, cancellationToken);
    }

    /// <summary>Lets go of the version.</summary>
    public void Dispose() => Interlocked.Exchange(ref _release, null)?.Invoke();
}
