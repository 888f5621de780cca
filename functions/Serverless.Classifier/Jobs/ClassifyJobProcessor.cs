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
using Serverless.Classifier.Diagnostics;
using Serverless.Classifier.Model;

namespace Serverless.Classifier.Jobs;

/// <summary>
/// Runs a batch job (DESIGN.md section 4): streams the input blob, classifies it in chunks, stages each chunk's output
/// as a block with a deterministic id, checkpoints after every block, and commits the block list at the end, so the
/// output appears whole or not at all and a redelivered message writes byte-identical output. Bad lines become error
/// lines. A message that can never succeed goes to the rejected queue with its reason; any other failure is thrown for
/// the host to retry (and poison after maxDequeueCount).
/// </summary>
public sealed class ClassifyJobProcessor
{
    private readonly ITextClassifier _classifier;
    private readonly BlobServiceClient _blobs;
    private readonly QueueServiceClientFactory _queues;
    private readonly IOptions<JobOptions> _jobOptions;
    private readonly IOptions<ClassifierOptions> _classifierOptions;
    private readonly ILogger<ClassifyJobProcessor> _logger;

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
    /// <param name="messageText">The message as queued (JSON).</param>
    /// <param name="messageId">The queue message id, for logs.</param>
    /// <param name="cancellationToken">Stops the job; progress so far is kept.</param>
    public async Task<JobOutcome> ProcessAsync(string messageText, string messageId, CancellationToken cancellationToken)
    {
        using var scope = _logger.BeginScope(new Dictionary<string, object> { ["MessageId"] = messageId });
        var options = _jobOptions.Value;
        ClassifyJobMessage message;
        BlobClient input;
        try
        {
            message = ClassifyJobMessage.Parse(messageText, options);
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
            var record = JsonSerializer.Serialize(new { reason = exception.Message, messageId, message = messageText });
            await _queues.Create(options.RejectedQueueName).SendMessageAsync(record, cancellationToken).ConfigureAwait(false);
            return JobOutcome.Rejected;
        }
    }

    private async Task<JobOutcome> RunAsync(ClassifyJobMessage message, BlobClient input, string messageText, CancellationToken cancellationToken)
    {
        var options = _jobOptions.Value;
        var stopwatch = Stopwatch.StartNew();
        var (outputContainer, outputBlob) = ClassifyJobMessage.Split(message.Output);
        var container = _blobs.GetBlobContainerClient(outputContainer);
        var output = container.GetBlockBlobClient(outputBlob);
        var progressBlob = container.GetBlobClient(outputBlob + ".progress.json");
        var summaryBlob = container.GetBlobClient(outputBlob + ".summary.json");

        await _classifier.LoadAsync(cancellationToken).ConfigureAwait(false);
        var manifest = _classifier.Manifest!;
        var headName = message.Head ?? manifest.DefaultHead;
        var head = manifest.Heads.FirstOrDefault(h => h.Name == headName)
            ?? throw new ClassifierException(ClassifierErrorKind.InvalidInput, $"head '{headName}' does not exist in model {manifest.Name} {manifest.Version}; it has [{string.Join(", ", manifest.Heads.Select(h => h.Name))}].");

        var progress = await ReadProgressAsync(progressBlob, cancellationToken).ConfigureAwait(false);
        if (progress is not null && (progress.ModelVersion != manifest.Version || progress.ChunkSize != options.ChunkSize))
        {
            // Staged blocks from another model version or chunking would mix outputs: start over.
            progress = null;
        }

        progress ??= new JobProgress(0, 0, 0, 0, manifest.Version, options.ChunkSize);
        var resumedFrom = progress.LinesDone;
        Log.JobStarted(_logger, message.Input, message.Output, manifest.Version, resumedFrom);

        await using var stream = await input.OpenReadAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var lines = JobInputReader.ReadAsync(reader, message.ResolvedFormat, message.IdField ?? "id", message.TextField ?? "text", cancellationToken);
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
                progress = await WriteChunkAsync(chunk, progress, head, output, progressBlob, cancellationToken).ConfigureAwait(false);
                chunk.Clear();
                if (stopwatch.Elapsed.TotalSeconds > options.MaxInvocationSeconds)
                {
                    await _queues.Create(options.QueueName).SendMessageAsync(messageText, cancellationToken).ConfigureAwait(false);
                    Log.JobContinued(_logger, message.Output, progress.LinesDone);
                    return JobOutcome.Continued;
                }
            }
        }

        if (chunk.Count > 0)
        {
            progress = await WriteChunkAsync(chunk, progress, head, output, progressBlob, cancellationToken).ConfigureAwait(false);
        }

        var blockIds = Enumerable.Range(0, progress.Blocks).Select(BlockId).ToList();
        await output.CommitBlockListAsync(
            blockIds,
            new CommitBlockListOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/x-ndjson" } },
            cancellationToken).ConfigureAwait(false);
        var summary = new
        {
            input = message.Input,
            output = message.Output,
            model = manifest.Name,
            version = manifest.Version,
            head = headName,
            lines = progress.LinesDone,
            classified = progress.Classified,
            errors = progress.Errors,
            resumedFromLine = resumedFrom,
            lastInvocationMs = Math.Round(stopwatch.Elapsed.TotalMilliseconds),
        };
        await summaryBlob.UploadAsync(BinaryData.FromObjectAsJson(summary, JsonSerializerOptions.Web), overwrite: true, cancellationToken).ConfigureAwait(false);
        await progressBlob.DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        Log.JobCompleted(_logger, message.Output, progress.LinesDone, progress.Errors, stopwatch.ElapsedMilliseconds);
        return JobOutcome.Completed;
    }

    private async Task<JobProgress> WriteChunkAsync(
        List<JobLine> chunk, JobProgress progress, HeadManifest head, BlockBlobClient output, BlobClient progressBlob, CancellationToken cancellationToken)
    {
        var maxChars = _classifierOptions.Value.MaxCharsPerInput;
        var rows = chunk.Select(line => line.Error is null && line.Text!.Length > maxChars
            ? line with { Text = null, Error = $"the text has {line.Text.Length} characters; at most {maxChars} are allowed" }
            : line).ToList();
        var texts = rows.Where(r => r.Error is null).Select(r => r.Text!).ToArray();
        var predictions = texts.Length == 0
            ? []
            : (await _classifier.ClassifyAsync(new ClassificationRequest { Texts = texts, Head = head.Name }, cancellationToken).ConfigureAwait(false)).Predictions;

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

                if (row.Error is not null)
                {
                    writer.WriteString("error", row.Error);
                }
                else
                {
                    WritePrediction(writer, predictions[next++], head);
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
        };
        await progressBlob.UploadAsync(BinaryData.FromObjectAsJson(updated, JsonSerializerOptions.Web), overwrite: true, cancellationToken).ConfigureAwait(false);
        return updated;
    }

    private static void WritePrediction(Utf8JsonWriter writer, IReadOnlyList<LabelScore> scores, HeadManifest head)
    {
        writer.WriteString("label", scores[0].Label);
        writer.WriteNumber("score", Round(scores[0].Score));
        writer.WriteStartObject("scores");
        foreach (var label in head.Labels)
        {
            writer.WriteNumber(label, Round(scores.First(s => s.Label == label).Score));
        }

        writer.WriteEndObject();
        if (head.Activation == Activation.Sigmoid)
        {
            var threshold = head.Threshold ?? 0.5;
            writer.WriteStartArray("labels");
            foreach (var score in scores.Where(s => s.Score >= threshold))
            {
                writer.WriteStringValue(score.Label);
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
