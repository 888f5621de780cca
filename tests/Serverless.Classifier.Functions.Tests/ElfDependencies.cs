using System.Buffers.Binary;
using System.Text;

namespace Serverless.Classifier.Functions.Tests;

/// <summary>
/// The NEEDED entries of a 64-bit little-endian ELF shared library (what `readelf -d` lists as "Shared library"): the
/// dynamic segment's DT_NEEDED offsets into the string table at DT_STRTAB, whose address is mapped to a file offset
/// through the PT_LOAD segment that holds it. Written here because .NET has no ELF reader and readelf may be absent.
/// </summary>
internal static class ElfDependencies
{
    private const uint LoadSegment = 1;
    private const uint DynamicSegment = 2;
    private const long Needed = 1;
    private const long StringTable = 5;

    public static IReadOnlyList<string> Read(string path)
    {
        var elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || !elf.AsSpan(0, 4).SequenceEqual("\u007fELF"u8) || elf[4] != 2 || elf[5] != 1)
        {
            throw new InvalidDataException($"'{path}' is not a 64-bit little-endian ELF file.");
        }

        var programHeaders = (long)BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(0x20));
        var headerSize = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x36));
        var headerCount = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x38));
        var loads = new List<(long Offset, long Address, long Size)>();
        (long Offset, long Size)? dynamic = null;
        for (var i = 0; i < headerCount; i++)
        {
            var header = elf.AsSpan((int)(programHeaders + (i * headerSize)));
            var type = BinaryPrimitives.ReadUInt32LittleEndian(header);
            var offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
            var address = (long)BinaryPrimitives.ReadUInt64LittleEndian(header[16..]);
            var size = (long)BinaryPrimitives.ReadUInt64LittleEndian(header[32..]);
            if (type == LoadSegment)
            {
                loads.Add((offset, address, size));
            }
            else if (type == DynamicSegment)
            {
                dynamic = (offset, size);
            }
        }

        var (dynamicOffset, dynamicSize) = dynamic ?? throw new InvalidDataException($"'{path}' has no dynamic segment.");
        var needed = new List<long>();
        long? stringTableAddress = null;
        for (var entry = dynamicOffset; entry + 16 <= dynamicOffset + dynamicSize; entry += 16)
        {
            var tag = (long)BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan((int)entry));
            var value = (long)BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan((int)entry + 8));
            if (tag == 0)
            {
                break;
            }

            if (tag == Needed)
            {
                needed.Add(value);
            }
            else if (tag == StringTable)
            {
                stringTableAddress = value;
            }
        }

        var stringTable0 = stringTableAddress ?? throw new InvalidDataException($"'{path}' has no DT_STRTAB.");
        var load = loads.Single(l => stringTable0 >= l.Address && stringTable0 < l.Address + l.Size);
        var stringTable = (int)(stringTable0 - load.Address + load.Offset);
        return [.. needed.Select(offset =>
        {
            var start = stringTable + (int)offset;
            var end = Array.IndexOf(elf, (byte)0, start);
            return Encoding.ASCII.GetString(elf, start, end - start);
        })];
    }
}
