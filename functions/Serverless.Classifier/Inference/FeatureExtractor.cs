using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Serverless.Classifier.Diagnostics;
using Serverless.Classifier.Model;
using Serverless.Classifier.Tokenization;

namespace Serverless.Classifier.Inference;

/// <summary>
/// A frozen encoder as a feature extractor: the tokenizer plus the encoder's ONNX session. Texts become token ids,
/// token ids become length-sorted batches of token states, and states become pooled vectors. Serving computes the
/// heads' inputs with it; model-export trains heads and compares poolings on its features. Thread-safe; dispose it
/// when done.
/// </summary>
public sealed class FeatureExtractor : IDisposable, IRowEncoder
{
    private readonly EncoderSession _encoder;
    private readonly ILogger _logger;

    private FeatureExtractor(WordPieceTextTokenizer tokenizer, EncoderSession encoder, ILogger logger)
    {
        Tokenizer = tokenizer;
        _encoder = encoder;
        _logger = logger;
    }

    /// <summary>The package's tokenizer.</summary>
    public WordPieceTextTokenizer Tokenizer { get; }

    /// <summary>The encoder session itself, for benchmarks that batch in other orders than <see cref="Encode"/>.</summary>
    internal EncoderSession Session => _encoder;

    /// <summary>The width of a token state and of a pooled vector.</summary>
    public int HiddenSize => _encoder.HiddenSize;

    /// <summary>Opens the encoder and vocabulary of a package folder, after checking their hashes against the manifest sections.</summary>
    /// <param name="directory">The package folder.</param>
    /// <param name="encoder">The manifest's encoder section.</param>
    /// <param name="tokenizer">The manifest's tokenizer section.</param>
    /// <param name="options">Session settings (threads, spinning, execution provider).</param>
    /// <param name="logger">Receives load and batch events.</param>
    /// <param name="cancellationToken">Stops the hash checks.</param>
    /// <exception cref="ClassifierException">ModelInvalid: a file is missing, corrupt or does not match the manifest.</exception>
    public static Task<FeatureExtractor> OpenAsync(
        string directory, EncoderManifest encoder, TokenizerManifest tokenizer, ClassifierOptions options, ILogger logger, CancellationToken cancellationToken) =>
        OpenAsync(directory, encoder, tokenizer, new OnnxSessionFactory(options, logger), logger, verifyHashes: true, cancellationToken);

    internal static async Task<FeatureExtractor> OpenAsync(
        string directory, EncoderManifest encoder, TokenizerManifest tokenizer, OnnxSessionFactory sessions, ILogger logger, bool verifyHashes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(tokenizer);
        await PackageFiles.VerifyAsync(directory, encoder, verifyHashes, cancellationToken).ConfigureAwait(false);
        var textTokenizer = await WordPieceTextTokenizer.OpenAsync(directory, tokenizer, verifyHashes, cancellationToken).ConfigureAwait(false);

        var session = sessions.Create(Path.Combine(directory, encoder.File), "encoder");
        try
        {
            return new FeatureExtractor(textTokenizer, new EncoderSession(session, encoder, encoder.File), logger);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs the encoder over every input in length-sorted batches (each under both budgets; a single longer input gets
    /// a batch of its own). Batches are run one at a time as the sequence is enumerated; dispose each one.
    /// </summary>
    /// <param name="inputs">Token ids per input, [CLS] first (from <see cref="Tokenizer"/>).</param>
    /// <param name="maxBatchTokens">Upper bound of rows x padded length.</param>
    /// <param name="maxBatchSize">Upper bound of rows.</param>
    /// <param name="cancellationToken">Stops between batches and inside a run.</param>
    public IEnumerable<EncodedBatch> Encode(IReadOnlyList<int[]> inputs, int maxBatchTokens, int maxBatchSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        foreach (var indices in BatchPlanner.Plan([.. inputs.Select(i => i.Length)], maxBatchTokens, maxBatchSize))
        {
            var batch = Run([.. indices.Select(i => inputs[i])], requestCount: 1, cancellationToken);
            batch.InputIndices = indices;
            yield return batch;
        }
    }

    /// <inheritdoc/>
    Dictionary<Pooling, float[]> IRowEncoder.PoolRows(IReadOnlyList<int[]> rows, IReadOnlyCollection<Pooling> poolings, int requestCount, CancellationToken cancellationToken)
    {
        using var batch = Run(rows, requestCount, cancellationToken);
        return poolings.ToDictionary(p => p, p =>
        {
            var pooled = new float[rows.Count * HiddenSize];
            batch.Pool(p, pooled);
            return pooled;
        });
    }

    private EncodedBatch Run(IReadOnlyList<int[]> rows, int requestCount, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var batch = _encoder.Run(rows, Tokenizer.PadId, cancellationToken);
        var paddedTokens = rows.Count * batch.SequenceLength;
        ClassifierMetrics.Batch(rows.Count, paddedTokens);
        Log.BatchEncoded(_logger, rows.Count, requestCount, paddedTokens, stopwatch.Elapsed.TotalMilliseconds);
        return batch;
    }

    /// <summary>Pooled vectors of every input, in input order, for each requested pooling; one encoder pass per batch.</summary>
    /// <returns>Per pooling, row-major <c>[inputs, hidden]</c>.</returns>
    public Dictionary<Pooling, float[]> Pool(IReadOnlyList<int[]> inputs, IReadOnlyCollection<Pooling> poolings, int maxBatchTokens, int maxBatchSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(poolings);
        var hidden = HiddenSize;
        var result = poolings.ToDictionary(p => p, _ => new float[inputs.Count * hidden]);
        var pooled = new float[Math.Min(maxBatchSize, Math.Max(inputs.Count, 1)) * hidden];
        foreach (var batch in Encode(inputs, maxBatchTokens, maxBatchSize, cancellationToken))
        {
            using (batch)
            {
                foreach (var pooling in poolings)
                {
                    batch.Pool(pooling, pooled);
                    for (var row = 0; row < batch.RowCount; row++)
                    {
                        pooled.AsSpan(row * hidden, hidden).CopyTo(result[pooling].AsSpan(batch.InputIndices[row] * hidden, hidden));
                    }
                }
            }
        }

        return result;
    }

    /// <summary>Closes the encoder session.</summary>
    public void Dispose() => _encoder.Dispose();
}
