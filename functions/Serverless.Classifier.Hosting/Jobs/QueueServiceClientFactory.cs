using Azure.Storage.Queues;

namespace Serverless.Classifier.Hosting.Jobs;

/// <summary>Queue clients on the jobs' storage connection (AzureWebJobsStorage, where the trigger's queues live).</summary>
internal sealed class QueueServiceClientFactory(StorageClients connection)
{
    public QueueClient Create(string queueName) => connection.Queue(queueName);
}
