using Azure.Storage.Queues;
using Serverless.Classifier.Storage;

namespace Serverless.Classifier.Jobs;

/// <summary>Queue clients on the jobs' storage connection (AzureWebJobsStorage, where the trigger's queues live).</summary>
internal sealed class QueueServiceClientFactory(StorageClients connection)
{
    public QueueClient Create(string queueName) => connection.Queue(queueName);
}
