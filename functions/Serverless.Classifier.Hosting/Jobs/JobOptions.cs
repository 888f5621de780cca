using System.ComponentModel.DataAnnotations;

namespace Serverless.Classifier.Hosting.Jobs;

/// <summary>Settings of batch jobs (configuration section <c>Jobs</c>, app settings <c>Jobs__*</c>).</summary>
public sealed class JobOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Jobs";

    /// <summary>The queue the trigger listens on (also app setting <c>ClassifyQueueName</c>, used by the trigger binding).</summary>
    [Required]
    public string QueueName { get; set; } = "classify-jobs";

    /// <summary>Where messages that can never succeed are recorded with their reason.</summary>
    [Required]
    public string RejectedQueueName { get; set; } = "classify-jobs-rejected";

    /// <summary>Containers a job may read from.</summary>
    public IList<string> InputContainers { get; } = ["inputs"];

    /// <summary>Containers a job may write to.</summary>
    public IList<string> OutputContainers { get; } = ["outputs"];

    /// <summary>Input lines per classification call and per staged output block.</summary>
    [Range(1, 100_000)]
    public int ChunkSize { get; set; } = 256;

    /// <summary>Seconds one invocation may work before it checkpoints and re-enqueues the job to continue
    /// (keep under the host's functionTimeout); 0 continues after every chunk.</summary>
    [Range(0, 86_400)]
    public int MaxInvocationSeconds { get; set; } = 480;
}
