namespace Serverless.Classifier.Hosting.Jobs;

/// <summary>How a job message was handled.</summary>
public enum JobOutcome
{
    /// <summary>The output and its summary are written.</summary>
    Completed,

    /// <summary>The invocation ran out of time; progress is saved and a continuation message is queued.</summary>
    Continued,

    /// <summary>The message can never succeed; it was recorded in the rejected queue with the reason.</summary>
    Rejected,

    /// <summary>Cancelled on request (<c>&lt;output&gt;.cancel</c>); the summary says so and no output was written.</summary>
    Cancelled,
}
