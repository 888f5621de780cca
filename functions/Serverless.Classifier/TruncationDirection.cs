namespace Serverless.Classifier;

/// <summary>Which end of an over-long input is kept when it is cut to the model's maximum length.</summary>
public enum TruncationDirection
{
    /// <summary>Keep the start (the default, as Hugging Face's tokenizers do).</summary>
    Right,

    /// <summary>Keep the end: for texts whose signal is last (a thread's latest message, a review's verdict).</summary>
    Left,
}
