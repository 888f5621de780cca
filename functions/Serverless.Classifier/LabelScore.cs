namespace Serverless.Classifier;

/// <summary>One label and its score (after the activation function).</summary>
/// <param name="Label">The label's name, as in the head's manifest.</param>
/// <param name="Score">Softmax or sigmoid probability, or the raw logit when the activation is none.</param>
public readonly record struct LabelScore(string Label, float Score);
