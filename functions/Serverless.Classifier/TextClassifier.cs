using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Classifier.Diagnostics;
using Serverless.Classifier.Inference;
using Serverless.Classifier.Model;

namespace Serverless.Classifier;

/// <summary>
/// The <see cref="ITextClassifier"/>: checks the request, tokenizes, hands the token ids to the inference scheduler (which
/// encodes and pools them in length-sorted batches, merged with other requests' rows) and applies the head. Holds one <see cref="ClassifierModel"/> at a time;
/// <see cref="Swap"/> replaces it atomically while requests in flight finish on the old one, which is disposed when
/// the last of them ends.
/// </summary>
internal sealed class TextClassifier : ITextClassifier, IDisposable
{
    private readonly ClassifierOptions _options;
    private readonly IModelSource _source;
    private readonly OnnxSessionFactory _sessions;
    private readonly InferenceScheduler _scheduler;
    private readonly ILogger<TextClassifier> _logger;
    private readonly SemaphoreSlim _loadLock = new(1, 1);
    private ModelLease? _current;
    private string? _loadError;

    public TextClassifier(IOptions<ClassifierOptions> options, IModelSource source, ILogger<TextClassifier> logger)
    {
        _options = options.Value;
        _source = source;
        _logger = logger;
        _sessions = new OnnxSessionFactory(_options, logger);
        _scheduler = new InferenceScheduler(
            _options.MaxQueuedTokens, _options.MaxBatchTokens, _options.MaxBatchSize, TimeSpan.FromMilliseconds(_options.MaxBatchWaitMs), logger);
    }

    public ModelManifest? Manifest => Volatile.Read(ref _current)?.Model.Manifest;

    public string? ExecutionProvider => Volatile.Read(ref _current)?.Model.ExecutionProvider;

    public string? ExecutionDevice => Volatile.Read(ref _current)?.Model.ExecutionDevice;

    public Tokenization.WordPieceTextTokenizer? Tokenizer => Volatile.Read(ref _current)?.Model.Tokenizer;

    public string? LoadError => Volatile.Read(ref _loadError);

    /// <summary>The model being served (no lease taken: for diagnostics and tests).</summary>
    internal ClassifierModel? Current => Volatile.Read(ref _current)?.Model;

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _current) is not null)
        {
            return;
        }

        await _loadLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _current) is null)
            {
                Swap(await LoadModelAsync(cancellationToken).ConfigureAwait(false));
            }
        }
        finally
        {
            _loadLock.Release();
        }
    }

    /// <summary>Loads the source's current package (not served until passed to <see cref="Swap"/>).</summary>
    private async Task<ClassifierModel> LoadModelAsync(CancellationToken cancellationToken)
    {
        Log.ModelLoading(_logger, _source.Description);
        try
        {
            var directory = await _source.GetPackageDirectoryAsync(cancellationToken).ConfigureAwait(false);
            // A source that verified every file (blob storage) spares the second hashing of the whole package.
            var model = await ClassifierModel.LoadAsync(directory, _sessions, _logger, verifyHashes: !_source.VerifiesHashes, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _loadError, null);
            return model;
        }
        catch (ClassifierException exception)
        {
            Volatile.Write(ref _loadError, exception.Message);
            Log.ModelLoadFailed(_logger, _source.Description, exception.Kind, exception);
            throw;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Volatile.Write(ref _loadError, $"The model source {_source.Description} failed: {exception.GetType().Name}; see the logs (event 1008).");
            throw;
        }
    }

    /// <summary>Loads and serves the source's current version if it differs from the one being served.</summary>
    /// <returns>True when a new version was swapped in.</returns>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        var served = Manifest?.Version;
        var latest = await _source.GetLatestVersionAsync(cancellationToken).ConfigureAwait(false);
        if (latest is null || latest == served)
        {
            return false;
        }

        await _loadLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var model = await LoadModelAsync(cancellationToken).ConfigureAwait(false);
            Swap(model);
            Log.ModelSwapped(_logger, model.Manifest.Name, served, model.Manifest.Version);
            return true;
        }
        finally
        {
            _loadLock.Release();
        }
    }

    /// <summary>Where models come from, for logs.</summary>
    internal string SourceDescription => _source.Description;

    /// <summary>Serves <paramref name="model"/> from now on; the previous model is disposed when its last request ends.</summary>
    public void Swap(ClassifierModel model)
    {
        var previous = Interlocked.Exchange(ref _current, new ModelLease(model));
        previous?.Release();
    }

    public async Task<ClassificationResult> ClassifyAsync(ClassificationRequest request, CancellationToken cancellationToken)
    {
        using var pinned = await PinModelAsync(cancellationToken).ConfigureAwait(false);
        return await pinned.ClassifyAsync(request, cancellationToken).ConfigureAwait(false);
    }

    public async Task<PinnedModel> PinModelAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken).ConfigureAwait(false);
        var lease = AcquireLease();
        var model = lease.Model;
        return new PinnedModel(model.Manifest, model.ExecutionProvider, (request, token) => ClassifyAsync(model, request, token), lease.Release);
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref _current, null)?.Release();
        _scheduler.Dispose();
        _loadLock.Dispose();
    }

    private async Task<ClassificationResult> ClassifyAsync(ClassifierModel model, ClassificationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            CheckLimits(request);
            return await ScoreAsync(model, request, cancellationToken).ConfigureAwait(false);
        }
        catch (ClassifierException exception)
        {
            ClassifierMetrics.Failed(exception.Kind);
            if (exception.Kind is ClassifierErrorKind.InferenceFailed)
            {
                Log.InferenceFailed(_logger, exception.Kind, exception);
            }

            throw;
        }
    }

    private async Task<ClassificationResult> ScoreAsync(ClassifierModel model, ClassificationRequest request, CancellationToken cancellationToken)
    {
        var headName = request.Head ?? model.Manifest.DefaultHead;
        if (!model.Heads.TryGetValue(headName, out var head))
        {
            ClassifierThrow.InvalidInput(
                "parameters.head", $"Head '{headName}' does not exist in model {model.Manifest.Name} {model.Manifest.Version}; it has [{string.Join(", ", model.Heads.Keys)}].");
        }

        using var activity = ClassifierTelemetry.Source.StartActivity("classify");
        activity?.SetTag("classifier.model", $"{model.Manifest.Name} {model.Manifest.Version}");
        activity?.SetTag("classifier.head", headName);
        activity?.SetTag("classifier.texts", request.Texts.Count);
        activity?.SetTag("classifier.priority", request.Priority == InferencePriority.Batch ? "batch" : "interactive");
        var started = DateTimeOffset.UtcNow;
        var stopwatch = Stopwatch.StartNew();
        var inputs = new int[request.Texts.Count][];
        for (var i = 0; i < inputs.Length; i++)
        {
            var encoded = model.Tokenizer.Encode(request.Texts[i], model.Tokenizer.MaxLength, request.TruncationDirection);
            if (encoded.Truncated && !request.Truncation)
            {
                ClassifierThrow.InvalidInput(
                    $"inputs[{i}]", $"inputs[{i}] is longer than the model's maximum of {model.Tokenizer.MaxLength} tokens; shorten it, or set truncation to true to cut it.");
            }

            inputs[i] = encoded.Ids;
        }

        var tokenizeMs = stopwatch.Elapsed.TotalMilliseconds;
        var enqueued = started.AddMilliseconds(tokenizeMs);
        ClassifierTelemetry.Phase(activity, "tokenize", started, enqueued);
        activity?.SetTag("classifier.tokens", inputs.Sum(i => i.Length));
        stopwatch.Restart();
        var pooled = await _scheduler.PoolAsync(model.Features, inputs, [head.Manifest.Pooling], request.Priority, cancellationToken).ConfigureAwait(false);
        var queueMs = pooled.QueueMs;
        var pooledAt = enqueued.AddMilliseconds(stopwatch.Elapsed.TotalMilliseconds);
        ClassifierTelemetry.Phase(activity, "queue wait", enqueued, enqueued.AddMilliseconds(queueMs));
        ClassifierTelemetry.Phase(activity, "encode", enqueued.AddMilliseconds(queueMs), pooledAt);
        var logits = head.Logits(pooled.Pooled[head.Manifest.Pooling], inputs.Length, cancellationToken);
        var inferenceMs = stopwatch.Elapsed.TotalMilliseconds - queueMs;
        ClassifierTelemetry.Phase(activity, "head", pooledAt, enqueued.AddMilliseconds(stopwatch.Elapsed.TotalMilliseconds));

        var activation = request.FunctionToApply ?? head.Manifest.Activation;
        var labelCount = head.LabelCount;
        // Thresholds belong to sigmoid heads and mean something only on sigmoid scores.
        var threshold = head.Manifest.Activation == Activation.Sigmoid && activation == Activation.Sigmoid ? (float)(head.Manifest.Threshold ?? 0.5) : (float?)null;
        var texts = new TextScores[inputs.Length];
        for (var i = 0; i < inputs.Length; i++)
        {
            var row = logits.AsSpan(i * labelCount, labelCount);
            ScoreMath.Activate(row, activation);
            var scores = row.ToArray();
            texts[i] = new TextScores(scores, threshold is { } t ? [.. scores.Select(score => score >= t)] : null);
        }

        ClassifierMetrics.Classified(inputs.Length, inferenceMs);
        Log.Classified(_logger, inputs.Length, headName, tokenizeMs, queueMs, inferenceMs);
        return new ClassificationResult
        {
            Labels = head.Manifest.Labels,
            Texts = texts,
            Activation = activation,
            ModelName = model.Manifest.Name,
            ModelVersion = model.Manifest.Version,
            Head = headName,
            TokenizeMs = tokenizeMs,
            QueueMs = queueMs,
            InferenceMs = inferenceMs,
        };
    }

    private void CheckLimits(ClassificationRequest request)
    {
        var texts = request.Texts;
        if (texts is null || texts.Count == 0)
        {
            ClassifierThrow.InvalidInput("inputs", "inputs is empty; send a string or a non-empty array of strings.");
        }

        if (texts.Count > _options.MaxInputsPerRequest)
        {
            ClassifierThrow.PayloadTooLarge(
                "inputs", $"inputs has {texts.Count} items; at most {_options.MaxInputsPerRequest} are allowed per request. Split it into smaller requests or use a batch job.");
        }

        for (var i = 0; i < texts.Count; i++)
        {
            if (TextLimits.Check(texts[i], _options) is { } problem)
            {
                throw new ClassifierException(problem.Kind, $"inputs[{i}] {problem.Reason}") { Field = $"inputs[{i}]" };
            }
        }
    }

    private ModelLease AcquireLease()
    {
        while (true)
        {
            var lease = Volatile.Read(ref _current);
            if (lease is null)
            {
                ClassifierThrow.ModelUnavailable("No model is loaded yet; retry shortly.");
            }

            if (lease.TryAcquire())
            {
                return lease;
            }
        }
    }

    /// <summary>A model with a reference count: one reference for being current, one per request using it.</summary>
    private sealed class ModelLease(ClassifierModel model)
    {
        private int _references = 1;

        public ClassifierModel Model { get; } = model;

        public bool TryAcquire()
        {
            var references = Volatile.Read(ref _references);
            while (references > 0)
            {
                var seen = Interlocked.CompareExchange(ref _references, references + 1, references);
                if (seen == references)
                {
                    return true;
                }

                references = seen;
            }

            return false;
        }

        public void Release()
        {
            if (Interlocked.Decrement(ref _references) == 0)
            {
                Model.Dispose();
            }
        }
    }
}
