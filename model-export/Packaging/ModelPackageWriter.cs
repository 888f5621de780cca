using Serverless.Classifier.Model;

namespace ModelExport.Packaging;

/// <summary>Writes a model package folder: encoder and vocabulary (copied when the folder is new), heads, manifest.</summary>
internal static class ModelPackageWriter
{
    /// <summary>
    /// Adds or replaces one head in the package at <paramref name="outDirectory"/>, copying the encoder and vocabulary
    /// from <paramref name="encoder"/> when they are not already there, and rewrites manifest.json with every hash.
    /// </summary>
    public static async Task<ModelManifest> WriteHeadAsync(
        string outDirectory, EncoderPackage encoder, HeadManifest head, byte[] headOnnx, string? modelName, string? modelVersion, CancellationToken cancellationToken)
    {
        outDirectory = Path.GetFullPath(outDirectory);
        System.IO.Directory.CreateDirectory(Path.Combine(outDirectory, "heads"));
        foreach (var file in ModelPackage.FilesOf(encoder.Encoder).Append(encoder.Tokenizer.File))
        {
            var target = Path.Combine(outDirectory, file);
            var source = Path.Combine(encoder.Directory, file);
            if (!string.Equals(Path.GetFullPath(source), target, StringComparison.Ordinal))
            {
                System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(source, target, overwrite: true);
            }
        }

        var headPath = Path.Combine(outDirectory, head.File);
        await File.WriteAllBytesAsync(headPath, headOnnx, cancellationToken).ConfigureAwait(false);
        head = head with { Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(headOnnx)) };

        // Heads already in the output package are kept; heads of the encoder's package are not (their files are not copied).
        var existingPath = Path.Combine(outDirectory, ModelManifest.FileName);
        var existing = File.Exists(existingPath) ? await ModelPackage.ReadManifestAsync(outDirectory, cancellationToken).ConfigureAwait(false) : null;
        var heads = (existing?.Heads ?? []).Where(h => h.Name != head.Name).Append(head).ToList();
        var manifest = new ModelManifest
        {
            SchemaVersion = ModelManifest.CurrentSchemaVersion,
            Name = modelName ?? existing?.Name ?? Path.GetFileName(outDirectory),
            Version = modelVersion ?? existing?.Version ?? "1",
            Encoder = encoder.Encoder,
            Tokenizer = encoder.Tokenizer,
            Heads = heads,
            DefaultHead = existing is not null && heads.Any(h => h.Name == existing.DefaultHead) ? existing.DefaultHead : head.Name,
        };
        await ModelPackage.WriteManifestAsync(outDirectory, manifest, cancellationToken).ConfigureAwait(false);
        return manifest;
    }
}
