using Microsoft.Azure.Functions.Worker;
using Serverless.Classifier.Hosting.Jobs;

namespace Serverless.Classifier.Functions;

/// <summary>
/// Batch jobs from the <c>%ClassifyQueueName%</c> queue. The message is bound as a raw string so a malformed one
/// reaches the processor (which records it as rejected) instead of failing in the binding.
/// </summary>
public sealed class ClassifyQueue(ClassifyJobProcessor processor)
{
    [Function(nameof(ClassifyQueue))]
    public Task Run(
        [QueueTrigger("%ClassifyQueueName%", Connection = "AzureWebJobsStorage")] string message,
        string id,
        CancellationToken cancellationToken) =>
        processor.ProcessAsync(message, id, cancellationToken);
}
