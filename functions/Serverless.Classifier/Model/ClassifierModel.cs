using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Serverless.Classifier.Diagnostics;
using Serverless.Classifier.Inference;
using Serverless.Classifier.Tokenization;

namespace Serverless.Classifier.Model;

/// <summary>
/// One loaded model package: the feature extractor (tokenizer and encoder session) and the head sessions, checked against the manifest.
/// Thread-safe for inference; disposed once no request uses it (see TextClassifier).
/// </summary>
internal sealed class ClassifierModel : IDisposable
{
    private readonly ILogger _logger;

    private ClassifierModel(ModelManifest manifest, FeatureExtractor features, Dictionary<string, HeadSession> heads, string executionProvider, ILogger logger)
    {
        Manifest = manifest;
        Features = features;
        Heads = heads;
        ExecutionProvider = executionProvider;
        _logger = logger;
    }

    public ModelManifest Manifest { get; }

    /// <summary>The tokenizer and the encoder session.</summary>
    public FeatureExtractor Features { get; }

    public WordPieceTextTokenizer Tokenizer => Features.Tokenizer;

    public IReadOnlyDictionary<string, HeadSession> Heads { get; }

    public string ExecutionProvider { get; }

    /// <summary>The GPU's name and memory when <see cref="ExecutionProvider"/> is CUDA and the driver names it.</summary>
    public string? ExecutionDevice { get; private init; }

    /// <summary>True once disposed (after a swap, when its last request ended).</summary>
    public bool IsDisposed { get; private set; }

    /// <summary>Loads and checks the package in <paramref name="directory"/>: every hash, the special tokens, the
    /// sessions' input and output names and widths, and one warm-up run.</summary>
    public static Task<ClassifierModel> LoadAsync(string directory, OnnxSessionFactory sessions, ILogger logger, CancellationToken cancellationToken) =>
        LoadAsync(directory, sessions, logger, verifyHashes: true, cancellationToken);

    /// <summary>As above; <paramref name="verifyHashes"/> false skips hashing files a model source has just verified
    /// (hashing reads the whole package, the encoder included, once more).</summary>
    public static async Task<ClassifierModel> LoadAsync(string directory, OnnxSessionFactory sessions, ILogger logger, bool verifyHashes, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var manifest = await ModelManifestJson.ReadAsync(Path.Combine(directory, ModelManifest.FileName), cancellationToken).ConfigureAwait(false);
        foreach (var head in manifest.Heads)
        {
            await PackageFiles.VerifyAsync(directory, head.File, verifyHashes ? head.Sha256 : null, cancellationToken).ConfigureAwait(false);
        }

        // The phases of a cold start, logged with event 1001 (docs/benchmarks.md): hashing, session creation, first run.
        if (verifyHashes)
        {
            await PackageFiles.VerifyAsync(directory, manifest.Encoder, verifyHashes: true, cancellationToken).ConfigureAwait(false);
            await PackageFiles.VerifyAsync(directory, manifest.Tokenizer.File, manifest.Tokenizer.Sha256, cancellationToken).ConfigureAwait(false);
        }

        var hashMs = stopwatch.ElapsedMilliseconds;
        var disposables = new List<IDisposable>();
        try
        {
            // Hashes are checked above; the extractor only checks that its files exist.
            var features = await FeatureExtractor.OpenAsync(directory, manifest.Encoder, manifest.Tokenizer, sessions, logger, verifyHashes: false, cancellationToken).ConfigureAwait(false);
            disposables.Add(features);
            var heads = new Dictionary<string, HeadSession>(StringComparer.Ordinal);
            foreach (var head in manifest.Heads)
            {
                var session = new HeadSession(sessions.Create(Path.Combine(directory, head.File), $"head '{head.Name}'"), head, manifest.Encoder.HiddenSize, head.File);
                disposables.Add(session);
                heads.Add(head.Name, session);
            }

            var model = new ClassifierModel(manifest, features, heads, sessions.Provider, logger) { ExecutionDevice = sessions.Device };
            var sessionMs = stopwatch.ElapsedMilliseconds - hashMs;
            // The warm-up checks the real output width (dimensions are often symbolic) and takes the slow first run.
            model.Score([[features.Tokenizer.ClsId, features.Tokenizer.SepId]], [.. heads.Values], int.MaxValue, 1, cancellationToken);
            var elapsedMs = stopwatch.ElapsedMilliseconds;
            var precision = manifest.Encoder.Precision == EncoderPrecision.Int8 ? "int8" : "fp32";
            Log.ModelLoaded(
                logger, manifest.Name, manifest.Version, heads.Count, manifest.Encoder.HiddenSize, precision, model.ExecutionProvider, elapsedMs, hashMs, sessionMs, elapsedMs - hashMs - sessionMs);
            return model;
        }
        catch
        {
            disposables.ForEach(d => d.Dispose());
            throw;
        }
    }

    /// <summary>Logits of every input for each head; each distinct pooling is computed once from one encoder pass.</summary>
    /// <returns>Per head (in the order given), row-major <c>[inputs, labels]</c>.</returns>
    public float[][] Score(IReadOnlyList<int[]> inputs, IReadOnlyList<HeadSession> heads, int maxBatchTokens, int maxBatchSize, CancellationToken cancellationToken)
    {
        var pooled = Features.Pool(inputs, [.. heads.Select(h => h.Manifest.Pooling).Distinct()], maxBatchTokens, maxBatchSize, cancellationToken);
        return [.. heads.Select(head => head.Logits(pooled[head.Manifest.Pooling], inputs.Count, cancellationToken))];
    }

    public void Dispose()
    {
        if (IsDisposed)
        {
            return;
        }

        IsDisposed = true;
        Features.Dispose();
        foreach (var head in Heads.Values)
        {
            head.Dispose();
        }

        Log.ModelDisposed(_logger, Manifest.Name, Manifest.Version);
    }
}
