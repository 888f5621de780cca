namespace ModelExport.Training;

/// <summary>The architecture of a trained head.</summary>
internal enum HeadShape
{
    /// <summary>One linear layer: logits = W x + b.</summary>
    Linear,

    /// <summary>Hugging Face DistilBERT's head: pre_classifier (hidden x hidden) -> ReLU -> dropout -> classifier.</summary>
    Mlp,

    /// <summary>Hugging Face BERT's pooler and classifier: dense (hidden x hidden) -> tanh -> dropout -> classifier.
    /// Imported from checkpoints only; not trained here.</summary>
    Pooler,
}
