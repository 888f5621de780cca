using Microsoft.Azure.WebJobs;
using Serverless.Classifier.Hosting.Jobs;

namespace Serverless.Classifier.LocalHost;

/// <summary>The batch-job trigger, run by the WebJobs SDK queue listener (the engine the Functions host uses).</summary>
public sealed class QueueFunctions(ClassifyJobProcessor processor)
{
    [FunctionName("ClassifyQueue")]
    public Task ClassifyQueue([QueueTrigger("%ClassifyQueueName%")] string message, string id, CancellationToken cancellationToken) =>
        processor.ProcessAsync(message, id, cancellationToken);
}
