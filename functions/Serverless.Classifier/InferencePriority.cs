namespace Serverless.Classifier;

/// <summary>Which waiting work runs the encoder first.</summary>
public enum InferencePriority
{
    /// <summary>A client waits for the answer (HTTP): runs first; refused as Overloaded when the queue is full.</summary>
    Interactive,

    /// <summary>Batch work (job chunks): runs when no interactive work waits (and at least every few turns, so it
    /// never starves); never refused for load, it waits instead.</summary>
    Batch,
}
