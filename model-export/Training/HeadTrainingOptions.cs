namespace ModelExport.Training;

/// <summary>How a head is trained on frozen pooled features (AdamW, cross-entropy, early stopping on dev loss).</summary>
internal sealed record HeadTrainingOptions
{
    public HeadShape Shape { get; init; } = HeadShape.Mlp;

    public int Epochs { get; init; } = 60;

    public int BatchSize { get; init; } = 32;

    public float LearningRate { get; init; } = 3e-4f;

    public float WeightDecay { get; init; } = 1e-2f;

    /// <summary>Dropout before the classifier layer (the seed's DistilBERT uses 0.2 for seq_classif_dropout; 0.1 is BERT's).</summary>
    public float Dropout { get; init; } = 0.1f;

    /// <summary>Epochs without a better dev loss before training stops (with a dev set).</summary>
    public int Patience { get; init; } = 10;

    public int Seed { get; init; } = 42;
}
