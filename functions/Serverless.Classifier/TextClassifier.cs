using System.Diagnostics;
using System.Numerics.Tensors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Classifier.Diagnostics;
using Serverless.Classifier.Inference;
using Serverless.Classifier.Model;
using Serverless.Classifier.Tokenization;

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

        var firstPair = request.SecondTexts?.Select((text, index) => text is null ? -1 : index).FirstOrDefault(index => index >= 0, -1) ?? -1;
        if (model.Manifest.Encoder.TokenTypeIds is null && firstPair >= 0)
        {
            ClassifierThrow.InvalidInput(
                $"inputs[{firstPair}]",
                $"inputs[{firstPair}] is a text pair, but the encoder of model {model.Manifest.Name} {model.Manifest.Version} has no token types (DistilBERT-style); it cannot tell the two texts apart. Send single texts.");
        }

        using var activity = ClassifierTelemetry.Source.StartActivity("classify");
        activity?.SetTag("classifier.model", $"{model.Manifest.Name} {model.Manifest.Version}");
        activity?.SetTag("classifier.head", headName);
        activity?.SetTag("classifier.texts", request.Texts.Count);
        activity?.SetTag("classifier.priority", request.Priority == InferencePriority.Batch ? "batch" : "interactive");
        var started = DateTimeOffset.UtcNow;
        var stopwatch = Stopwatch.StartNew();
        var (inputs, firstRows, spans) = request.Chunking is { } chunking ? Windows(model, request.Texts, chunking) : (Truncated(model, request), null, null);
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
        var thresholds = head.Manifest.Activation == Activation.Sigmoid && activation == Activation.Sigmoid
            ? Enumerable.Range(0, labelCount).Select(label => (float)head.Manifest.ThresholdOf(label)).ToArray()
            : null;
        IReadOnlyList<bool>? Select(float[] scores) => thresholds is null ? null : [.. scores.Select((score, label) => score >= thresholds[label])];
        // Temperature scaling calibrates probabilities; raw logits stay raw.
        var temperature = activation == Activation.None ? 1f : (float)(head.Manifest.Temperature ?? 1);
        var rowScores = new float[inputs.Length][];
        for (var row = 0; row < inputs.Length; row++)
        {
            var span = logits.AsSpan(row * labelCount, labelCount);
            if (temperature != 1f)
            {
                TensorPrimitives.Divide(span, temperature, span);
            }

            ScoreMath.Activate(span, activation);
            rowScores[row] = span.ToArray();
        }

        var texts = new TextScores[request.Texts.Count];
        for (var i = 0; i < texts.Length; i++)
        {
            if (firstRows is null)
            {
                texts[i] = new TextScores(rowScores[i], Select(rowScores[i]));
                continue;
            }

            var (first, end) = (firstRows[i], firstRows[i + 1]);
            var scores = ScoreMath.Aggregate(rowScores.AsSpan(first, end - first), request.Chunking!.Aggregate);
            var chunks = !request.Chunking!.ReturnChunks ? null : Enumerable.Range(first, end - first).Select(r => new ChunkScores(spans![r].Start, spans[r].End, rowScores[r], Select(rowScores[r]))).ToArray();
            texts[i] = new TextScores(scores, Select(scores), chunks);
        }

        ClassifierMetrics.Classified(texts.Length, inferenceMs);
        Log.Classified(_logger, texts.Length, headName, tokenizeMs, queueMs, inferenceMs);
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

    /// <summary>One row per text or pair, cut to the model's maximum length, or refused when truncation is off.</summary>
    private static int[][] Truncated(ClassifierModel model, ClassificationRequest request)
    {
        var inputs = new int[request.Texts.Count][];
        var maxLength = model.Tokenizer.MaxLength;
        for (var i = 0; i < inputs.Length; i++)
        {
            bool truncated;
            if (request.SecondTexts?[i] is { } second)
            {
                var pair = model.Tokenizer.EncodePair(request.Texts[i], second, maxLength, request.TruncationDirection);
                (inputs[i], truncated) = (TokenRows.Of(pair), pair.Truncated);
            }
            else
            {
                var encoded = model.Tokenizer.Encode(request.Texts[i], maxLength, request.TruncationDirection);
                (inputs[i], truncated) = (encoded.Ids, encoded.Truncated);
            }

            if (truncated && !request.Truncation)
            {
                ClassifierThrow.InvalidInput(
                    $"inputs[{i}]",
                    request.SecondTexts?[i] is null
                        ? $"inputs[{i}] is longer than the model's maximum of {maxLength} tokens; shorten it, set truncation to true to cut it, or turn chunking on."
                        : $"inputs[{i}] is longer than the model's maximum of {maxLength} tokens as a text pair; shorten it, or set truncation to true to cut it (longest_first).",
                    InvalidInputRule.TooLong);
            }
        }

        return inputs;
    }

    /// <summary>
    /// The windows of every text as rows ([CLS] + up to maximum length - 2 word pieces + [SEP]), text by text; the
    /// index of each text's first row (plus one past the last); each row's character span in its text.
    /// </summary>
    private (int[][] Rows, int[] FirstRows, (int Start, int End)[] Spans) Windows(ClassifierModel model, IReadOnlyList<string> texts, Chunking chunking)
    {
        var tokenizer = model.Tokenizer;
        var size = chunking.Size ?? tokenizer.MaxLength;
        if (size < 3 || size > tokenizer.MaxLength)
        {
            ClassifierThrow.InvalidInput(
                "parameters.chunk_size", $"chunk_size is {size}; it must be at least 3 ([CLS], one word piece, [SEP]) and at most {tokenizer.MaxLength}, the model's maximum length.");
        }

        var width = size - 2;
        var overlap = chunking.Stride ?? width / 4;
        if (overlap < 0 || overlap >= width)
        {
            ClassifierThrow.InvalidInput(
                "parameters.chunk_stride", $"chunk_stride is {overlap}; it must be at least 0 and less than {width}, the word pieces of one window ({size} tokens less [CLS] and [SEP]).");
        }

        var rows = new List<int[]>(texts.Count);
        var spans = new List<(int Start, int End)>(texts.Count);
        var firstRows = new int[texts.Count + 1];
        for (var i = 0; i < texts.Count; i++)
        {
            firstRows[i] = rows.Count;
            var pieces = tokenizer.EncodeWithSpans(texts[i]);
            var count = TextWindows.Count(pieces.Ids.Length, width, overlap);
            if (count > _options.MaxChunksPerInput)
            {
                ClassifierThrow.PayloadTooLarge(
                    $"inputs[{i}]",
                    $"inputs[{i}] needs {count} windows of {width} word pieces (chunk_stride {overlap}); at most {_options.MaxChunksPerInput} are allowed per input. Split the document, or lower chunk_stride.");
            }

            for (var window = 0; window < count; window++)
            {
                var start = TextWindows.Start(window, pieces.Ids.Length, width, overlap);
                var length = Math.Min(width, pieces.Ids.Length - start);
                var ids = new int[length + 2];
                ids[0] = tokenizer.ClsId;
                Array.Copy(pieces.Ids, start, ids, 1, length);
                ids[^1] = tokenizer.SepId;
                rows.Add(ids);
                spans.Add(length == 0 ? (0, 0) : (pieces.Spans[start].Start, pieces.Spans[start + length - 1].End));
            }
        }

        firstRows[^1] = rows.Count;
        return ([.. rows], firstRows, [.. spans]);
    }

    private void CheckLimits(ClassificationRequest request)
    {
        var texts = request.Texts;
        if (texts is null || texts.Count == 0)
        {
            ClassifierThrow.InvalidInput("inputs", "inputs is empty; send a string or a non-empty array of strings.", InvalidInputRule.Empty);
        }

        if (texts.Count > _options.MaxInputsPerRequest)
        {
            ClassifierThrow.PayloadTooLarge(
                "inputs", $"inputs has {texts.Count} items; at most {_options.MaxInputsPerRequest} are allowed per request. Split it into smaller requests or use a batch job.");
        }

        for (var i = 0; i < texts.Count; i++)
        {
            if (TextLimits.Check(texts[i], _options, request.Chunking is not null) is { } problem)
            {
                throw problem.ToException($"inputs[{i}]");
            }
        }

        if (request.SecondTexts is { } seconds)
        {
            if (seconds.Count != texts.Count)
            {
                throw new ArgumentException($"SecondTexts has {seconds.Count} entries for {texts.Count} texts; give one per text (null for a single text).", nameof(request));
            }

            for (var i = 0; i < seconds.Count; i++)
            {
                if (seconds[i] is null)
                {
                    continue;
                }

                if (request.Chunking is not null)
                {
                    ClassifierThrow.InvalidInput(
                        $"inputs[{i}]", $"inputs[{i}] is a text pair; chunking splits single long texts only. Send the pair without chunking (it is cut with longest_first), or as one text.");
                }

                if (TextLimits.Check(seconds[i], _options) is { } problem)
                {
                    throw problem.ToException($"inputs[{i}].text_pair");
                }
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
