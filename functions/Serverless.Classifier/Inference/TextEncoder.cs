using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Serverless.Classifier.Diagnostics;
using Serverless.Classifier.Model;
using Serverless.Classifier.Tokenization;

namespace Serverless.Classifier.Inference;

/// <summary>
/// Tokenizer plus encoder session: texts to token ids, token ids to pooled vectors in length-sorted batches.
/// Shared by serving (under heads) and by model-export (training heads on frozen features). Thread-safe.
/// </summary>
internal sealed class TextEncoder : IDisposable
{
    private readonly ILogger _logger;

    private TextEncoder(WordPieceTextTokenizer tokenizer, EncoderSession encoder, ILogger logger)
    {
        Tokenizer = tokenizer;
        Encoder = encoder;
        _logger = logger;
    }

    public WordPieceTextTokenizer Tokenizer { get; }

    public EncoderSession Encoder { get; }

    public int HiddenSize => Encoder.HiddenSize;

    /// <summary>Verifies the encoder's and vocabulary's hashes, loads the tokenizer and opens the encoder session.</summary>
    public static async Task<TextEncoder> LoadAsync(
        string directory, EncoderManifest encoder, TokenizerManifest tokenizer, OnnxSessionFactory sessions, ILogger logger, CancellationToken cancellationToken)
    {
        await VerifyHashAsync(directory, encoder.File, encoder.Sha256, cancellationToken).ConfigureAwait(false);
        await VerifyHashAsync(directory, tokenizer.File, tokenizer.Sha256, cancellationToken).ConfigureAwait(false);
        WordPieceTextTokenizer textTokenizer;
        await using (var vocabulary = File.OpenRead(Path.Combine(directory, tokenizer.File)))
        {
            textTokenizer = WordPieceTextTokenizer.Create(vocabulary, tokenizer, tokenizer.File);
        }

        var session = sessions.Create(Path.Combine(directory, encoder.File), "encoder");
        try
        {
            return new TextEncoder(textTokenizer, new EncoderSession(session, encoder, encoder.File), logger);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Receives one batch: the input indices of its rows, their token states <c>[rows, sequence, hidden]</c>
    /// (valid only during the call), real lengths and padded length.</summary>
    public delegate void BatchConsumer(int[] inputIndices, ReadOnlySpan<float> states, int[] lengths, int sequenceLength);

    /// <summary>Pooled vectors of every input, in input order, for each requested pooling; one encoder pass per batch.</summary>
    /// <returns>Per pooling, row-major <c>[inputs, hidden]</c>.</returns>
    public Dictionary<Pooling, float[]> Pool(IReadOnlyList<int[]> inputs, IReadOnlyCollection<Pooling> poolings, int maxBatchTokens, int maxBatchSize, CancellationToken cancellationToken)
    {
        var hidden = HiddenSize;
        var result = poolings.ToDictionary(p => p, _ => new float[inputs.Count * hidden]);
        var rowVector = new float[hidden];
        Encode(
            inputs,
            maxBatchTokens,
            maxBatchSize,
            (indices, states, lengths, sequenceLength) =>
            {
                foreach (var pooling in poolings)
                {
                    for (var row = 0; row < indices.Length; row++)
                    {
                        PoolingMath.Pool(states.Slice(row * sequenceLength * hidden, sequenceLength * hidden), lengths.AsSpan(row, 1), sequenceLength, hidden, pooling, rowVector);
                        rowVector.CopyTo(result[pooling].AsSpan(indices[row] * hidden, hidden));
                    }
                }
            },
            cancellationToken);
        return result;
    }

    /// <summary>Runs the encoder over every input in length-sorted batches under the budgets and hands each batch's
    /// states to <paramref name="consume"/> (used by <see cref="Pool"/>, and by model-export for study-only poolings).</summary>
    public void Encode(IReadOnlyList<int[]> inputs, int maxBatchTokens, int maxBatchSize, BatchConsumer consume, CancellationToken cancellationToken)
    {
        foreach (var batch in BatchPlanner.Plan([.. inputs.Select(i => i.Length)], maxBatchTokens, maxBatchSize))
        {
            var stopwatch = Stopwatch.StartNew();
            var rows = batch.Select(i => inputs[i]).ToArray();
            Encoder.EncodeStates(rows, Tokenizer.PadId, (states, lengths, sequenceLength) => consume(batch, states, lengths, sequenceLength), cancellationToken);
            var paddedTokens = rows.Length * rows.Max(r => r.Length);
            ClassifierMetrics.Batch(rows.Length, paddedTokens);
            Log.BatchEncoded(_logger, rows.Length, paddedTokens, stopwatch.Elapsed.TotalMilliseconds);
        }
    }

    public void Dispose() => Encoder.Dispose();

    /// <summary>Checks a package file against its manifest hash.</summary>
    internal static async Task VerifyHashAsync(string directory, string file, string expected, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, file);
        if (!File.Exists(path))
        {
            ClassifierThrow.ModelInvalid($"The manifest lists '{file}' but the package at '{directory}' has no such file; re-publish the whole package.");
        }

        var actual = await PackageFiles.Sha256Async(path, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(actual, expected, StringComparison.Ordinal))
        {
            ClassifierThrow.ModelInvalid(
                $"'{file}' has sha256 {actual} but the manifest declares {expected}: the file is corrupt, partly copied or from another package. " +
                "Re-download or re-publish the package.");
        }
    }
}
