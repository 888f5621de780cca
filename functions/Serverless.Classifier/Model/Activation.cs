namespace Serverless.Classifier.Model;

/// <summary>The function applied to a head's logits to turn them into scores.</summary>
public enum Activation
{
    /// <summary>Scores sum to 1 over the labels (single-label classification).</summary>
    Softmax,

    /// <summary>Each label scored independently in [0, 1] (multi-label classification).</summary>
    Sigmoid,

    /// <summary>Raw logits.</summary>
    None,
}
