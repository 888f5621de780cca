namespace ModelExport.Training;

/// <summary>Row-major features <c>[rows, width]</c>.</summary>
internal sealed record FeatureMatrix(float[] Values, int Width)
{
    public void Write(BinaryWriter writer)
    {
        writer.Write(Width);
        writer.Write(Values.Length);
        writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(Values.AsSpan()));
    }

    public static FeatureMatrix Read(BinaryReader reader)
    {
        var width = reader.ReadInt32();
        var values = new float[reader.ReadInt32()];
        reader.BaseStream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return new FeatureMatrix(values, width);
    }
}
