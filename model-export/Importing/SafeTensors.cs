using System.Buffers.Binary;
using System.Text.Json;

namespace ModelExport.Importing;

/// <summary>
/// Reads tensors from a <c>.safetensors</c> file: an 8-byte little-endian header length, a JSON header mapping names to
/// dtype, shape and data offsets, then raw little-endian data. F32, F16 and BF16 are read as float.
/// </summary>
/// <remarks>Written here because the format is this small and no well-kept .NET reader is on the package feeds we use;
/// unlike pickle checkpoints it cannot run code.</remarks>
internal sealed class SafeTensors
{
    private readonly string _path;
    private readonly long _dataStart;
    private readonly Dictionary<string, (string DType, long[] Shape, long Begin, long End)> _entries;

    private SafeTensors(string path, long dataStart, Dictionary<string, (string, long[], long, long)> entries)
    {
        _path = path;
        _dataStart = dataStart;
        _entries = entries;
    }

    public IReadOnlyCollection<string> Names => _entries.Keys;

    public static SafeTensors Open(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> lengthBytes = stackalloc byte[8];
        if (stream.Read(lengthBytes) != 8)
        {
            throw new ModelExportException($"'{path}' is too short to be a safetensors file.");
        }

        var headerLength = BinaryPrimitives.ReadInt64LittleEndian(lengthBytes);
        if (headerLength <= 0 || headerLength > 100_000_000 || headerLength > stream.Length - 8)
        {
            throw new ModelExportException($"'{path}' declares a {headerLength}-byte header; it is not a safetensors file.");
        }

        var header = new byte[headerLength];
        stream.ReadExactly(header);
        var entries = new Dictionary<string, (string, long[], long, long)>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(header);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (property.Name == "__metadata__")
            {
                continue;
            }

            var offsets = property.Value.GetProperty("data_offsets");
            entries[property.Name] = (
                property.Value.GetProperty("dtype").GetString()!,
                [.. property.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64())],
                offsets[0].GetInt64(),
                offsets[1].GetInt64());
        }

        return new SafeTensors(path, 8 + headerLength, entries);
    }

    /// <summary>A tensor as floats (row-major) with its shape; a missing name is an error listing what there is.</summary>
    public (float[] Values, long[] Shape) Read(string name, string expectedFor)
    {
        if (!_entries.TryGetValue(name, out var entry))
        {
            var near = _entries.Keys.Where(k => !k.Contains("layer", StringComparison.Ordinal) && !k.Contains("embeddings", StringComparison.Ordinal)).Order().Take(12);
            throw new ModelExportException(
                $"'{Path.GetFileName(_path)}' has no tensor '{name}', which a {expectedFor} checkpoint has; found [{string.Join(", ", near)}{(_entries.Count > 12 ? ", ..." : string.Empty)}].");
        }

        var (dtype, shape, begin, end) = entry;
        var count = shape.Aggregate(1L, (a, b) => a * b);
        var size = dtype switch
        {
            "F32" => 4,
            "F16" or "BF16" => 2,
            _ => throw new ModelExportException($"Tensor '{name}' is {dtype}; only F32, F16 and BF16 are read. Save the checkpoint in float32."),
        };
        if (end - begin != count * size)
        {
            throw new ModelExportException($"Tensor '{name}' has {end - begin} bytes for shape [{string.Join(", ", shape)}] {dtype}; the file is corrupt.");
        }

        var bytes = new byte[end - begin];
        using (var stream = File.OpenRead(_path))
        {
            stream.Position = _dataStart + begin;
            stream.ReadExactly(bytes);
        }

        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = dtype switch
            {
                "F32" => BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4)),
                "F16" => (float)BinaryPrimitives.ReadHalfLittleEndian(bytes.AsSpan(i * 2)),
                _ => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(i * 2)) << 16),
            };
        }

        return (values, shape);
    }
}
