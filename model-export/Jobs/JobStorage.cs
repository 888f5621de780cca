using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace ModelExport.Jobs;

/// <summary>
/// The storage a job uses, reached like the service reaches it: a connection string (Azurite:
/// <c>UseDevelopmentStorage=true</c>), or the account's blob service URL with DefaultAzureCredential (the queue URL is
/// the same account's). Queue messages are base64, as the Functions queue trigger sends them.
/// </summary>
internal sealed class JobStorage
{
    /// <summary>CLI-side records of submitted jobs: <c>&lt;outputs&gt;/.jobs/&lt;jobId&gt;.json</c>.</summary>
    public const string RecordPrefix = ".jobs/";

    private JobStorage(BlobServiceClient blobs, Func<string, QueueClient> queue, JobNames names)
    {
        Blobs = blobs;
        Queue = queue;
        Names = names;
    }

    public BlobServiceClient Blobs { get; }

    public Func<string, QueueClient> Queue { get; }

    public JobNames Names { get; }

    public BlobContainerClient Inputs => Blobs.GetBlobContainerClient(Names.InputContainer);

    public BlobContainerClient Outputs => Blobs.GetBlobContainerClient(Names.OutputContainer);

    public QueueClient Jobs => Queue(Names.Queue);

    public QueueClient Rejected => Queue(Names.Queue + "-rejected");

    public QueueClient Poison => Queue(Names.Queue + "-poison");

    public static JobStorage Open(string connection, JobNames names)
    {
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        if (Uri.TryCreate(connection, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http")
        {
            var credential = new DefaultAzureCredential();
            var queueService = new Uri(uri.GetLeftPart(UriPartial.Authority).Replace(".blob.", ".queue.", StringComparison.Ordinal) + "/");
            return new JobStorage(new BlobServiceClient(uri, credential), name => new QueueClient(new Uri(queueService, name), credential, options), names);
        }

        return new JobStorage(new BlobServiceClient(connection), name => new QueueClient(connection, name, options), names);
    }
}

/// <summary>Where jobs live: the queue and the input and output containers (the service's defaults).</summary>
internal sealed record JobNames(string Queue, string InputContainer, string OutputContainer);

/// <summary>What <c>jobs submit</c> records about a job, so <c>status</c>, <c>list</c> and <c>cancel</c> find it by id.</summary>
internal sealed record JobRecord(string JobId, string Input, string Output, string File, long Lines, DateTimeOffset Submitted);
