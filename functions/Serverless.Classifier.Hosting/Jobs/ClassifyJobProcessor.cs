using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Classifier.Hosting.Diagnostics;

namespace Serverless.Classifier.Hosting.Jobs;

/// <summary>
/// Runs a batch job (docs/architecture.md): streams the input blob, classifies it in chunks, stages each chunk's output
/// as a block with a deterministic id, checkpoints after every block, and commits the block list at the end, so the
/// output appears whole or not at all and a redelivered message writes byte-identical output. The job runs on one model
/// version for its whole life: it pins the version being served when it starts and records it in the checkpoint; a
/// continuation or redelivery finding another version served fails the job with that reason instead of mixing versions.
/// Bad lines become error lines. A message that can never succeed goes to the rejected queue with its reason; any other
/// failure is thrown for the host to retry (and poison after maxDequeueCount).
/// </summary>
public sealed class ClassifyJobProcessor
{
    private readonly ITextClassifier _classifier;
    private readonly BlobServiceClient _blobs;
    private readonly QueueServiceClientFactory _queues;
    private readonly IOptions<JobOptions> _jobOptions;
    private readonly IOptions<ClassifierOptions> _classifierOptions;
    private readonly ILogger<ClassifyJobProcessor> _logger;

    /// <summary>Beside the output: the summary, written when the job ends (completed, cancelled or rejected).</summary>
    public const string SummarySuffix = ".summary.json";

    /// <summary>Beside the output: the checkpoint while the job runs.</summary>
    public const string ProgressSuffix = ".progress.json";

    /// <summary>Beside the output: its presence asks the job to stop at its next chunk.</summary>
    public const string CancelSuffix = ".cancel";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    internal ClassifyJobProcessor(
        ITextClassifier classifier,
        BlobServiceClient blobs,
        QueueServiceClientFactory queues,
        IOptions<JobOptions> jobOptions,
        IOptions<ClassifierOptions> classifierOptions,
        ILogger<ClassifyJobProcessor> logger)
    {
        _classifier = classifier;
        _blobs = blobs;
        _queues = queues;
        _jobOptions = jobOptions;
        _classifierOptions = classifierOptions;
        _logger = logger;
    }

    /// <summary>Handles one message; see the class remarks for what is thrown and what is recorded.</summary>
    /// <param name="messageText">The message as queued: JSON, or its base64.</param>
    /// <param name="messageId">The queue message id, for logs.</param>
    /// <param name="cancellationToken">Stops the job; progress so far is kept.</param>
    public async Task<JobOutcome> ProcessAsync(string messageText, string messageId, CancellationToken cancellationToken)
    {
        using var scope = _logger.BeginScope(new Dictionary<string, object> { ["MessageId"] = messageId });
        var options = _jobOptions.Value;
        ClassifyJobMessage? message = null;
        string? json = null;
        BlobClient input;
        try
        {
            json = ClassifyJobMessage.Decode(messageText);
            message = ClassifyJobMessage.Parse(json, options);
            // Every event of the job carries its id (set by model-export jobs submit) beside the message id.
            using var jobScope = message.JobId is { } jobId ? _logger.BeginScope(new Dictionary<string, object> { ["JobId"] = jobId }) : null;
            // The job's chunks are classified inside this span, so their classify spans are its children.
            using var activity = HostingTelemetry.Source.StartActivity("classify job", System.Diagnostics.ActivityKind.Consumer);
            activity?.SetTag("job.id", message.JobId);
            activity?.SetTag("job.input", message.Input);
            activity?.SetTag("job.output", message.Output);
            var (inputContainer, inputBlob) = ClassifyJobMessage.Split(message.Input);
            input = _blobs.GetBlobContainerClient(inputContainer).GetBlobClient(inputBlob);
            if (!await input.ExistsAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new ClassifierException(ClassifierErrorKind.InvalidInput, $"input '{message.Input}' does not exist; upload it before sending the message.");
            }

            return await RunAsync(message, input, messageText, cancellationToken).ConfigureAwait(false);
        }
        catch (ClassifierException exception) when (exception.Kind == ClassifierErrorKind.InvalidInput)
        {
            Log.JobRejected(_logger, messageId, exception.Message);
            // A queue message holds 64 KiB (48 KiB before base64): the record quotes at most 16,384 characters of it.
            json ??= messageText;
            var quoted = json.Length <= 16_384 ? json : json[..16_384] + "...";
            var record = JsonSerializer.Serialize(new { reason = exception.Message, messageId, jobId = message?.JobId, message = quoted });
            await _queues.Create(options.RejectedQueueName).SendMessageAsync(record, cancellationToken).ConfigureAwait(false);
            if (message is not null)
            {
                // The output's place is known: say it there too, so whoever waits for the summary learns why.
                try
                {
                    await WriteSummaryAsync(message, new { status = "rejected", reason = exception.Message, input = message.Input, output = message.Output, jobId = message.JobId }, cancellationToken).ConfigureAwait(false);
                }
                catch (RequestFailedException failure)
                {
                    // The rejected queue has the record; a summary that cannot be written (no such container) adds nothing.
                    Log.JobSummaryNotWritten(_logger, message.Output, failure.Status);
                }
            }

            return JobOutcome.Rejected;
        }
    }

    private async Task<JobOutcome> RunAsync(ClassifyJobMessage message, BlobClient input, string messageText, CancellationToken cancellationToken)
    {
        var options = _jobOptions.Value;
        var invocation = Stopwatch.StartNew();
        // Time since the last checkpoint, added to the job's total there.
        var stopwatch = Stopwatch.StartNew();
        var (outputContainer, outputBlob) = ClassifyJobMessage.Split(message.Output);
        var container = _blobs.GetBlobContainerClient(outputContainer);
        var output = container.GetBlockBlobClient(outputBlob);
        var progressBlob = container.GetBlobClient(outputBlob + ProgressSuffix);

        using var model = await _classifier.PinModelAsync(cancellationToken).ConfigureAwait(false);
        var manifest = model.Manifest;
        var headName = message.Head ?? manifest.DefaultHead;
        if (manifest.Heads.All(h => h.Name != headName))
        {
            throw new ClassifierException(ClassifierErrorKind.InvalidInput, $"head '{headName}' does not exist in model {manifest.Name} {manifest.Version}; it has [{string.Join(", ", manifest.Heads.Select(h => h.Name))}].");
        }

        var progress = await ReadProgressAsync(progressBlob, cancellationToken).ConfigureAwait(false);
        if (progress is not null && progress.ModelVersion != manifest.Version)
        {
            // The lines done so far came from another version; going on would mix two versions in one output. The
            // checkpoint goes, so sending the message again runs the whole job on the version served now.
            await progressBlob.DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            throw new ClassifierException(
                ClassifierErrorKind.InvalidInput,
                $"The job started on model {manifest.Name} version {progress.ModelVersion}, which is no longer served (now {manifest.Version}); " +
                $"it stopped after {progress.LinesDone} lines rather than mix versions in one output. Send the message again to run the whole job on {manifest.Version}.");
        }

        if (progress is not null && progress.ChunkSize != options.ChunkSize)
        {
            // Staged blocks of another chunk size cannot be continued block by block: start over on the same version.
            progress = null;
        }

        progress ??= new JobProgress(0, 0, 0, 0, manifest.Version, options.ChunkSize, ElapsedMs: 0);
        var resumedFrom = progress.LinesDone;
        var truncation = message.TruncationDirection == "left" ? TruncationDirection.Left : TruncationDirection.Right;
        Log.JobStarted(_logger, message.Input, message.Output, manifest.Version, resumedFrom);

        await using var stream = await input.OpenReadAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var counts = new InputCounts();
        var lines = JobInputReader.ReadAsync(stream, message.ResolvedFormat, message.IdField ?? "id", message.TextField ?? "text", message.PairField, counts, cancellationToken);
        var chunk = new List<JobLine>(options.ChunkSize);
        long lineNumber = 0;
        await foreach (var line in lines.ConfigureAwait(false))
        {
            if (++lineNumber <= progress.LinesDone)
            {
                continue;
            }

            chunk.Add(line);
            if (chunk.Count == options.ChunkSize)
            {
                if (await CancelledAsync(container, outputBlob, cancellationToken).ConfigureAwait(false))
                {
                    return await CancelAsync(message, manifest.Version, progress, progressBlob, cancellationToken).ConfigureAwait(false);
                }

                progress = await WriteChunkAsync(chunk, progress, model, headName, truncation, message.Chunking, output, progressBlob, stopwatch, cancellationToken).ConfigureAwait(false);
                stopwatch.Restart();
                chunk.Clear();
                if (invocation.Elapsed.TotalSeconds > options.MaxInvocationSeconds)
                {
                    await _queues.Create(options.QueueName).SendMessageAsync(messageText, cancellationToken).ConfigureAwait(false);
                    Log.JobContinued(_logger, message.Output, progress.LinesDone);
                    return JobOutcome.Continued;
                }
            }
        }

        if (chunk.Count > 0)
        {
            progress = await WriteChunkAsync(chunk, progress, model, headName, truncation, message.Chunking, output, progressBlob, stopwatch, cancellationToken).ConfigureAwait(false);
            stopwatch.Restart();
        }

        var blockIds = Enumerable.Range(0, progress.Blocks).Select(BlockId).ToList();
        await output.CommitBlockListAsync(
            blockIds,
            new CommitBlockListOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/x-ndjson" } },
            cancellationToken).ConfigureAwait(false);
        var header = message.ResolvedFormat == "csv" ? 1 : 0;
        var summary = new
        {
            status = "completed",
            input = message.Input,
            output = message.Output,
            jobId = message.JobId,
            model = manifest.Name,
            version = manifest.Version,
            head = headName,
            // Reconciles as outputLines = classified + errors; inputLines = outputLines, except in CSV, where a quoted
            // field may span lines (the header is not counted; blank lines at the end of the input are not inputs).
            inputLines = counts.Lines - header,
            outputLines = progress.LinesDone,
            classified = progress.Classified,
            errors = progress.Errors,
            trailingBlankLines = counts.TrailingBlankLines,
            lines = progress.LinesDone,
            resumedFromLine = resumedFrom,
            lastInvocationMs = Math.Round(invocation.Elapsed.TotalMilliseconds),
            totalMs = Math.Round(progress.ElapsedMs + stopwatch.Elapsed.TotalMilliseconds),
        };
        await WriteSummaryAsync(message, summary, cancellationToken).ConfigureAwait(false);
        await progressBlob.DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        Log.JobCompleted(_logger, message.Output, progress.LinesDone, progress.Errors, invocation.ElapsedMilliseconds);
        return JobOutcome.Completed;
    }

    /// <summary><c>&lt;output&gt;.cancel</c> exists: someone asked the job to stop (model-export jobs cancel).</summary>
    private static async Task<bool> CancelledAsync(BlobContainerClient container, string outputBlob, CancellationToken cancellationToken) =>
        (await container.GetBlobClient(outputBlob + CancelSuffix).ExistsAsync(cancellationToken).ConfigureAwait(false)).Value;

    /// <summary>Stops at a chunk boundary: no output is committed, the checkpoint goes, the summary says so.</summary>
    private async Task<JobOutcome> CancelAsync(ClassifyJobMessage message, string modelVersion, JobProgress progress, BlobClient progressBlob, CancellationToken cancellationToken)
    {
        var reason = $"cancelled on request after {progress.LinesDone} lines; no output was written";
        await WriteSummaryAsync(
            message,
            new { status = "cancelled", reason, input = message.Input, output = message.Output, jobId = message.JobId, version = modelVersion, linesDone = progress.LinesDone },
            cancellationToken).ConfigureAwait(false);
        await progressBlob.DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        Log.JobCancelled(_logger, message.Output, progress.LinesDone);
        return JobOutcome.Cancelled;
    }

    private async Task WriteSummaryAsync(ClassifyJobMessage message, object summary, CancellationToken cancellationToken)
    {
        var (container, blob) = ClassifyJobMessage.Split(message.Output);
        await _blobs.GetBlobContainerClient(container).GetBlobClient(blob + SummarySuffix)
            .UploadAsync(BinaryData.FromObjectAsJson(summary, JsonSerializerOptions.Web), overwrite: true, cancellationToken).ConfigureAwait(false);
    }

    private async Task<JobProgress> WriteChunkAsync(
        List<JobLine> chunk, JobProgress progress, PinnedModel model, string headName, TruncationDirection truncation, Chunking? chunking, BlockBlobClient output, BlobClient progressBlob, Stopwatch sinceCheckpoint, CancellationToken cancellationToken)
    {
        var rows = chunk.Select(line => line.Error is null && TextLimits.Check(line.Text, _classifierOptions.Value, chunking is not null) is { } problem
            ? line with { Text = null, Error = "the text " + problem.Reason }
            : line.Error is null && line.Pair is not null && TextLimits.Check(line.Pair, _classifierOptions.Value) is { } pairProblem
                ? line with { Text = null, Error = "the pair's second text " + pairProblem.Reason }
                : line).ToList();
        ClassificationResult? result = null;
        while (result is null && rows.Any(r => r.Error is null))
        {
            var classified = rows.Select((row, index) => (row, index)).Where(r => r.row.Error is null).Select(r => r.index).ToArray();
            try
            {
                result = await model.ClassifyAsync(new ClassificationRequest
                {
                    Texts = [.. classified.Select(i => rows[i].Text!)],
                    SecondTexts = classified.Any(i => rows[i].Pair is not null) ? [.. classified.Select(i => rows[i].Pair)] : null,
                    Head = headName,
                    Priority = InferencePriority.Batch,
                    TruncationDirection = truncation,
                    Chunking = chunking,
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (ClassifierException exception) when (exception.Kind is ClassifierErrorKind.InvalidInput or ClassifierErrorKind.PayloadTooLarge
                && InputIndex(exception) is { } index && index < classified.Length)
            {
                // One text the engine refuses (a chunked document over MaxChunksPerInput) is that line's error, not the job's.
                var reason = exception.Message[(exception.Message.IndexOf(' ', StringComparison.Ordinal) + 1)..];
                rows[classified[index]] = rows[classified[index]] with { Text = null, Error = "the text " + reason };
            }
        }

        using var buffer = new MemoryStream();
        var next = 0;
        foreach (var row in rows)
        {
            using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            {
                writer.WriteStartObject();
                writer.WritePropertyName("id");
                if (row.Id is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    row.Id.WriteTo(writer);
                }

                writer.WriteNumber("line", row.Line);

                if (row.Error is not null)
                {
                    writer.WriteString("error", row.Error);
                }
                else
                {
                    WritePrediction(writer, result!.Texts[next++], result.Labels);
                }

                writer.WriteEndObject();
            }

            buffer.WriteByte((byte)'\n');
        }

        buffer.Position = 0;
        await output.StageBlockAsync(BlockId(progress.Blocks), buffer, cancellationToken: cancellationToken).ConfigureAwait(false);
        var errors = rows.Count(r => r.Error is not null);
        var updated = progress with
        {
            LinesDone = progress.LinesDone + rows.Count,
            Blocks = progress.Blocks + 1,
            Classified = progress.Classified + rows.Count - errors,
            Errors = progress.Errors + errors,
            ElapsedMs = progress.ElapsedMs + sinceCheckpoint.Elapsed.TotalMilliseconds,
        };
        await progressBlob.UploadAsync(BinaryData.FromObjectAsJson(updated, JsonSerializerOptions.Web), overwrite: true, cancellationToken).ConfigureAwait(false);
        return updated;
    }

    /// <summary>The index N of an engine error about <c>inputs[N]</c>, or null for an error about the whole request.</summary>
    private static int? InputIndex(ClassifierException exception) =>
        exception.Field is { } field && field.StartsWith("inputs[", StringComparison.Ordinal) && field.EndsWith(']')
            && int.TryParse(field.AsSpan(7, field.Length - 8), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index)
            ? index
            : null;

    private static void WritePrediction(Utf8JsonWriter writer, TextScores text, IReadOnlyList<string> labels)
    {
        var scores = text.Scores;
        var best = 0;
        for (var i = 1; i < scores.Count; i++)
        {
            // The first of equal scores wins, as in label order.
            best = scores[i] > scores[best] ? i : best;
        }

        writer.WriteString("label", labels[best]);
        writer.WriteNumber("score", Round(scores[best]));
        writer.WriteStartObject("scores");
        for (var i = 0; i < labels.Count; i++)
        {
            writer.WriteNumber(labels[i], Round(scores[i]));
        }

        writer.WriteEndObject();
        if (text.Selected is { } selected)
        {
            // Sigmoid heads: the labels over their threshold, highest score first.
            writer.WriteStartArray("labels");
            foreach (var i in Enumerable.Range(0, labels.Count).Where(i => selected[i]).OrderByDescending(i => scores[i]).ThenBy(i => i))
            {
                writer.WriteStringValue(labels[i]);
            }

            writer.WriteEndArray();
        }
    }

    private static double Round(float score) => Math.Round((double)score, 6, MidpointRounding.AwayFromZero);

    // Same-length ids, deterministic per block index: a redelivered message stages the same blocks.
    private static string BlockId(int index) => Convert.ToBase64String(Encoding.ASCII.GetBytes(index.ToString("D8", CultureInfo.InvariantCulture)));

    private static async Task<JobProgress?> ReadProgressAsync(BlobClient progressBlob, CancellationToken cancellationToken)
    {
        try
        {
            var content = await progressBlob.DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return content.Value.Content.ToObjectFromJson<JobProgress>(JsonSerializerOptions.Web);
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return null;
        }
    }
}
