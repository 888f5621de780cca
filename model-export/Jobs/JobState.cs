using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;

namespace ModelExport.Jobs;

/// <summary>Where a job stands, read from what the service leaves beside its output and in its queues.</summary>
internal sealed record JobState(string State, JsonNode? Summary, long? LinesDone, string? Reason)
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Cancelled = "cancelled";
    public const string Rejected = "rejected";
    public const string Poisoned = "poisoned";

    public bool IsFinal => State is Completed or Cancelled or Rejected or Poisoned;

    /// <summary>The summary (completed, cancelled or rejected), else the checkpoint (running), else the poison queue, else queued.</summary>
    public static async Task<JobState> ReadAsync(JobStorage storage, JobRecord record, CancellationToken cancellationToken)
    {
        if (await DownloadJsonAsync(storage, record.Output + ".summary.json", cancellationToken) is { } summary)
        {
            var status = summary["status"]?.GetValue<string>() ?? Completed;
            return new JobState(status, summary, summary["linesDone"]?.GetValue<long>() ?? summary["outputLines"]?.GetValue<long>(), summary["reason"]?.GetValue<string>());
        }

        if (await DownloadJsonAsync(storage, record.Output + ".progress.json", cancellationToken) is { } progress)
        {
            return new JobState(Running, null, progress["linesDone"]?.GetValue<long>(), null);
        }

        return await FindInQueueAsync(storage.Poison, record.JobId, cancellationToken) is not null
            ? new JobState(Poisoned, null, null, $"the job failed {storage.Names.Queue} processing repeatedly and was moved to {storage.Poison.Name}; the service's logs say why")
            : new JobState(Queued, null, null, null);
    }

    /// <summary>The first of up to 32 messages of a queue whose JSON carries this job id, decoded.</summary>
    public static async Task<JsonNode?> FindInQueueAsync(Azure.Storage.Queues.QueueClient queue, string jobId, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var message in (await queue.PeekMessagesAsync(32, cancellationToken)).Value)
            {
                if (Parse(message.Body.ToString()) is { } json && json["jobId"]?.GetValue<string>() == jobId)
                {
                    return json;
                }
            }
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
        }

        return null;
    }

    public static JsonNode? Parse(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<JsonNode?> DownloadJsonAsync(JobStorage storage, string blob, CancellationToken cancellationToken)
    {
        try
        {
            return Parse((await storage.Outputs.GetBlobClient(blob).DownloadContentAsync(cancellationToken)).Value.Content.ToString());
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return null;
        }
    }
}
