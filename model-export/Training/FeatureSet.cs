namespace ModelExport.Training;

/// <summary>Pooled vectors (row-major <c>[rows, hidden]</c>) and their label indices.</summary>
internal sealed record FeatureSet(float[] Features, int[] Labels, int HiddenSize)
{
    public int Rows => Labels.Length;

    public ReadOnlySpan<float> Row(int row) => Features.AsSpan(row * HiddenSize, HiddenSize);
}
