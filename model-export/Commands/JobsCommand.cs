using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Azure;
using ModelExport.Jobs;

namespace ModelExport.Commands;

/// <summary>
/// <c>jobs submit|status|list|failed|cancel</c>: batch jobs from the command line, against the local host's Azurite by
/// default or Azure with <c>--connection</c>. Writes the documented job message (docs/architecture.md) with the Azure
/// Storage SDKs; references no hosting assembly.
/// </summary>
internal static class JobsCommand
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    public static Command Create(CommandContext context)
    {
        var connection = BlobConnection.Option();
        var queue = new Option<string>("--queue") { Description = "The jobs queue (the service's ClassifyQueueName).", DefaultValueFactory = _ => "classify-jobs" };
        var inputs = new Option<string>("--inputs") { Description = "Container for inputs.", DefaultValueFactory = _ => "inputs" };
        var outputs = new Option<string>("--outputs") { Description = "Container for outputs.", DefaultValueFactory = _ => "outputs" };
        Option[] common = [connection, queue, inputs, outputs];
        JobStorage Open(ParseResult parse) =>
            JobStorage.Open(parse.GetValue(connection)!, new JobNames(parse.GetValue(queue)!, parse.GetValue(inputs)!, parse.GetValue(outputs)!));

        var command = new Command("jobs", "Submit batch jobs and follow them: submit, status, list, failed, cancel.");
        command.Subcommands.Add(Submit(context, common, Open));
        command.Subcommands.Add(Status(context, common, Open));
        command.Subcommands.Add(List(context, common, Open));
        command.Subcommands.Add(Failed(context, common, Open));
        command.Subcommands.Add(Cancel(context, common, Open));
        return command;
    }

    private static Command Submit(CommandContext context, Option[] common, Func<ParseResult, JobStorage> open)
    {
        var file = new Argument<FileInfo>("file") { Description = "The input: .jsonl, .csv or plain text lines." };
        var outputBlob = new Option<string>("--output-blob") { Description = "Output blob name (default: <file name>.<job id>.out.jsonl)." };
        var outFile = new Option<string>("--out") { Description = "With --wait, where to save the output (default: <file>.<job id>.out.jsonl beside the file)." };
        var head = Options.Head();
        var format = new Option<string>("--format") { Description = "jsonl, csv or txt (default: from the file's extension)." };
        var idField = new Option<string>("--id-field") { Description = "Id field or column (default: id)." };
        var textField = new Option<string>("--text-field") { Description = "Text field or column (default: text)." };
        var truncation = new Option<string>("--truncation-direction") { Description = "right (keep the start of an over-long text, the default) or left (keep its end)." };
        truncation.AcceptOnlyFromAmong("right", "left");
        var pairField = new Option<string>("--pair-field") { Description = "For text pairs: the second text's field or column (jsonl or csv input)." };
        var chunking = new Option<bool>("--chunking") { Description = "Classify texts longer than the model's maximum in overlapping windows." };
        var chunkSize = new Option<int?>("--chunk-size") { Description = "With --chunking: tokens per window (default: the model's maximum)." };
        var chunkStride = new Option<int?>("--chunk-stride") { Description = "With --chunking: word pieces shared by consecutive windows (default: a quarter of a window)." };
        var chunkAggregate = new Option<string>("--chunk-aggregate") { Description = "With --chunking: mean (default) or max of the windows' scores." };
        chunkAggregate.AcceptOnlyFromAmong("mean", "max");
        var wait = new Option<bool>("--wait") { Description = "Follow the job with a progress bar, then download the output and print the summary." };
        var timeout = new Option<int>("--timeout") { Description = "With --wait, seconds to wait before giving up (exit 3).", DefaultValueFactory = _ => 3600 };
        var command = new Command("submit", "Upload a file, queue a job for it, and optionally wait for its output.") {
            file, outputBlob, outFile, head, format, idField, textField, truncation, pairField, chunking, chunkSize, chunkStride, chunkAggregate, wait, timeout,
        };
        AddOptions(command, common);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var input = parse.GetValue(file)!;
            if (!input.Exists)
            {
                throw new ModelExportException($"'{input.FullName}' does not exist.");
            }

            // What the service would reject anyway, refused before anything is uploaded or queued.
            if (!parse.GetValue(chunking) && (parse.GetResult(chunkSize) is not null || parse.GetResult(chunkStride) is not null || parse.GetResult(chunkAggregate) is not null))
            {
                throw new ModelExportException("--chunk-size, --chunk-stride and --chunk-aggregate apply only with --chunking.");
            }

            if (parse.GetValue(chunkSize) is < 3 || parse.GetValue(chunkStride) is < 0)
            {
                throw new ModelExportException("--chunk-size must be at least 3 tokens and --chunk-stride at least 0 word pieces.");
            }

            if (parse.GetValue(chunking) && parse.GetValue(pairField) is not null)
            {
                throw new ModelExportException("--pair-field and --chunking do not go together: chunking splits single long texts.");
            }

            var storage = open(parse);
            var jobId = NewJobId(input.Name);
            var record = new JobRecord(
                jobId, $"{jobId}/{input.Name}", parse.GetValue(outputBlob) ?? $"{input.Name}.{jobId}.out.jsonl", input.FullName, CountLines(input, parse.GetValue(format)), DateTimeOffset.UtcNow);
            await CreateContainersAsync(storage, cancellationToken);
            await storage.Inputs.GetBlobClient(record.Input).UploadAsync(input.FullName, overwrite: false, cancellationToken);
            await storage.Outputs.GetBlobClient(JobStorage.RecordPrefix + jobId + ".json")
                .UploadAsync(BinaryData.FromObjectAsJson(record, JsonSerializerOptions.Web), overwrite: true, cancellationToken);
            var message = new JobMessage(
                $"{storage.Names.InputContainer}/{record.Input}", $"{storage.Names.OutputContainer}/{record.Output}",
                parse.GetValue(head), parse.GetValue(format), parse.GetValue(idField), parse.GetValue(textField), jobId, parse.GetValue(truncation),
                parse.GetValue(pairField), parse.GetValue(chunking) ? true : null, parse.GetValue(chunkSize), parse.GetValue(chunkStride), parse.GetValue(chunkAggregate));
            try
            {
                await storage.Jobs.SendMessageAsync(message.ToJson(), cancellationToken);
            }
            catch (RequestFailedException exception) when (exception.Status == 404)
            {
                throw new ModelExportException(
                    $"Queue '{storage.Names.Queue}' does not exist, so job {jobId} was uploaded but not queued; start the service once (it creates its queues), or pass the service's --queue.");
            }

            await context.Output.WriteLineAsync(JsonSerializer.Serialize(
                new { jobId, input = message.Input, output = message.Output, queue = storage.Names.Queue, lines = record.Lines }, Json.Line));
            if (!parse.GetValue(wait))
            {
                return 0;
            }

            var target = parse.GetValue(outFile) ?? Path.Combine(input.DirectoryName!, $"{input.Name}.{jobId}.out.jsonl");
            if (string.Equals(Path.GetFullPath(target), input.FullName, StringComparison.Ordinal))
            {
                throw new ModelExportException($"--out '{target}' is the input file itself; choose another path.");
            }

            return await FollowAsync(context, storage, record, target, TimeSpan.FromSeconds(parse.GetValue(timeout)), cancellationToken);
        });
        return command;
    }

    private static Command Status(CommandContext context, Option[] common, Func<ParseResult, JobStorage> open)
    {
        var id = new Argument<string>("id") { Description = "The job id (jobs submit prints it; jobs list shows it)." };
        var command = new Command("status", "Where a job stands: queued, running, completed (with its summary), cancelled, rejected or poisoned (with the reason).") { id };
        AddOptions(command, common);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var storage = open(parse);
            var record = await ReadRecordAsync(storage, parse.GetValue(id)!, cancellationToken);
            var state = await JobState.ReadAsync(storage, record, cancellationToken);
            await context.Output.WriteLineAsync(JsonSerializer.Serialize(Describe(record, state), Json.Line));
            return state.State is JobState.Rejected or JobState.Poisoned ? 1 : 0;
        });
        return command;
    }

    private static Command List(CommandContext context, Option[] common, Func<ParseResult, JobStorage> open)
    {
        var top = new Option<int>("--top") { Description = "How many recent jobs.", DefaultValueFactory = _ => 20 };
        var command = new Command("list", "Recent jobs submitted with jobs submit, newest first, with their state.") { top };
        AddOptions(command, common);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var storage = open(parse);
            var records = new List<(DateTimeOffset Modified, string Name)>();
            await foreach (var blob in storage.Outputs.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, JobStorage.RecordPrefix, cancellationToken))
            {
                records.Add((blob.Properties.LastModified ?? DateTimeOffset.MinValue, blob.Name));
            }

            foreach (var (_, name) in records.OrderByDescending(r => r.Modified).Take(parse.GetValue(top)))
            {
                var record = await ReadRecordAsync(storage, Path.GetFileNameWithoutExtension(name), cancellationToken);
                await context.Output.WriteLineAsync(JsonSerializer.Serialize(Describe(record, await JobState.ReadAsync(storage, record, cancellationToken)), Json.Line));
            }

            return 0;
        });
        return command;
    }

    private static Command Failed(CommandContext context, Option[] common, Func<ParseResult, JobStorage> open)
    {
        var command = new Command("failed", "Rejected messages (with the service's reason) and poisoned ones, up to 32 of each.");
        AddOptions(command, common);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var storage = open(parse);
            foreach (var (queue, kind) in new[] { (storage.Rejected, "rejected"), (storage.Poison, "poisoned") })
            {
                try
                {
                    foreach (var message in (await queue.PeekMessagesAsync(32, cancellationToken)).Value)
                    {
                        var json = JobState.Parse(message.Body.ToString());
                        await context.Output.WriteLineAsync(JsonSerializer.Serialize(
                            new
                            {
                                kind,
                                jobId = json?["jobId"]?.GetValue<string>(),
                                reason = json?["reason"]?.GetValue<string>() ?? (kind == "poisoned" ? $"failed {message.DequeueCount} or more times; the service's logs say why" : null),
                                message = kind == "rejected" ? json?["message"]?.GetValue<string>() : message.Body.ToString(),
                                inserted = message.InsertedOn,
                            },
                            Json.Line));
                    }
                }
                catch (RequestFailedException exception) when (exception.Status == 404)
                {
                }
            }

            return 0;
        });
        return command;
    }

    private static Command Cancel(CommandContext context, Option[] common, Func<ParseResult, JobStorage> open)
    {
        var id = new Argument<string>("id") { Description = "The job id." };
        var command = new Command("cancel", "Ask a job to stop at its next chunk; its summary then says it was cancelled.") { id };
        AddOptions(command, common);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var storage = open(parse);
            var record = await ReadRecordAsync(storage, parse.GetValue(id)!, cancellationToken);
            await storage.Outputs.GetBlobClient(record.Output + ".cancel").UploadAsync(BinaryData.FromString(DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture)), overwrite: true, cancellationToken);
            await context.Output.WriteLineAsync(JsonSerializer.Serialize(new { jobId = record.JobId, cancelRequested = true }, Json.Line));
            return 0;
        });
        return command;
    }

    private static void AddOptions(Command command, Option[] options)
    {
        foreach (var option in options)
        {
            command.Options.Add(option);
        }
    }

    private static async Task<int> FollowAsync(CommandContext context, JobStorage storage, JobRecord record, string target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var progress = new ProgressBar(context.Error, record.Lines);
        while (true)
        {
            var state = await JobState.ReadAsync(storage, record, cancellationToken);
            progress.Show(state, stopwatch.Elapsed);
            switch (state.State)
            {
                case JobState.Completed:
                    progress.Finish();
                    await using (var file = File.Create(target))
                    {
                        await storage.Outputs.GetBlobClient(record.Output).DownloadToAsync(file, cancellationToken);
                    }

                    await context.Output.WriteLineAsync(JsonSerializer.Serialize(new { jobId = record.JobId, state = state.State, savedTo = target, summary = state.Summary }, Json.Line));
                    return 0;
                case JobState.Cancelled or JobState.Rejected or JobState.Poisoned:
                    progress.Finish();
                    await context.Output.WriteLineAsync(JsonSerializer.Serialize(Describe(record, state), Json.Line));
                    await context.Error.WriteLineAsync($"error: job {record.JobId} was {state.State}: {state.Reason}");
                    return 1;
            }

            if (stopwatch.Elapsed > timeout)
            {
                progress.Finish();
                await context.Error.WriteLineAsync($"error: job {record.JobId} is still {state.State} after {timeout.TotalSeconds:F0} s; follow it with 'jobs status {record.JobId}'.");
                return 3;
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    private static object Describe(JobRecord record, JobState state) =>
        new { jobId = record.JobId, state = state.State, input = record.Input, output = record.Output, submitted = record.Submitted, lines = record.Lines, linesDone = state.LinesDone, reason = state.Reason, summary = state.Summary };

    private static async Task<JobRecord> ReadRecordAsync(JobStorage storage, string jobId, CancellationToken cancellationToken)
    {
        // Ids are what NewJobId makes: anything else (a path, an empty string) would name another blob.
        if (jobId.Length is 0 or > 80 || !jobId.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            throw new ModelExportException($"'{(jobId.Length > 80 ? jobId[..80] + "..." : jobId)}' is not a job id; ids are lower-case letters, digits and '-' (jobs submit prints them, jobs list shows them).");
        }

        try
        {
            var content = (await storage.Outputs.GetBlobClient(JobStorage.RecordPrefix + jobId + ".json").DownloadContentAsync(cancellationToken)).Value.Content;
            return content.ToObjectFromJson<JobRecord>(JsonSerializerOptions.Web)!;
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            throw new ModelExportException($"No job '{jobId}' in {storage.Names.OutputContainer}/{JobStorage.RecordPrefix}; 'jobs list' shows the jobs submitted with this tool.");
        }
    }

    private static async Task CreateContainersAsync(JobStorage storage, CancellationToken cancellationToken)
    {
        foreach (var container in new[] { storage.Inputs, storage.Outputs })
        {
            try
            {
                await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            }
            catch (RequestFailedException exception) when (exception.Status == 403)
            {
                // In Azure the containers are provisioned and writers may lack the right to create them: fine.
            }
        }
    }

    /// <summary><c>&lt;file stem&gt;-&lt;UTC time&gt;-&lt;6 hex&gt;</c>: readable, sortable and unique; letters, digits and '-' only.</summary>
    private static string NewJobId(string fileName)
    {
        var stem = new string([.. Path.GetFileNameWithoutExtension(fileName).Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-')]).Trim('-');
        stem = stem.Length == 0 ? "job" : stem[..Math.Min(stem.Length, 40)];
        return $"{stem}-{DateTimeOffset.UtcNow:yyyyMMdd-HHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
    }

    /// <summary>Inputs in the file, for the progress bar: its lines, less a CSV header and blank lines at the end.</summary>
    private static long CountLines(FileInfo file, string? format)
    {
        long lines = 0, blankRun = 0;
        foreach (var line in File.ReadLines(file.FullName))
        {
            lines++;
            blankRun = string.IsNullOrWhiteSpace(line) ? blankRun + 1 : 0;
        }

        var csv = (format ?? file.Extension.TrimStart('.').ToLowerInvariant()) == "csv";
        return Math.Max(0, lines - blankRun - (csv ? 1 : 0));
    }

    /// <summary>Progress on standard error: a redrawn bar on a terminal, a line every few seconds otherwise.</summary>
    private sealed class ProgressBar(TextWriter error, long total)
    {
        private readonly bool _terminal = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;
        private TimeSpan _lastLine = TimeSpan.MinValue;
        private string? _lastState;

        public void Show(JobState state, TimeSpan elapsed)
        {
            var done = state.LinesDone ?? 0;
            var rate = elapsed.TotalSeconds > 0 ? done / elapsed.TotalSeconds : 0;
            var left = rate > 0 && total > done ? $", {TimeSpan.FromSeconds((total - done) / rate):mm\\:ss} left" : string.Empty;
            var filled = total > 0 ? (int)Math.Clamp(done * 30 / total, 0, 30) : 0;
            var text = $"[{new string('#', filled)}{new string('-', 30 - filled)}] {state.State} {done}/{total} lines, {rate:F0} lines/s{left}";
            if (_terminal)
            {
                error.Write($"\r{text}   ");
            }
            else if (state.State != _lastState || elapsed - _lastLine >= TimeSpan.FromSeconds(5))
            {
                error.WriteLine(text);
                _lastLine = elapsed;
            }

            _lastState = state.State;
        }

        public void Finish()
        {
            if (_terminal)
            {
                error.WriteLine();
            }
        }
    }
}
