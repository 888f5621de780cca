using System.Security.Cryptography;

namespace Serverless.Classifier.Model;

/// <summary>The files of a model package and their hashes: what loading verifies and publishing uploads.</summary>
internal static class PackageFiles
{
    /// <summary>Every file the manifest lists (encoder, vocabulary, heads) with its declared SHA-256; manifest.json excluded.</summary>
    public static IEnumerable<(string File, string Sha256)> Of(ModelManifest manifest) =>
        manifest.Heads.Select(h => (h.File, h.Sha256))
            .Prepend((manifest.Tokenizer.File, manifest.Tokenizer.Sha256))
            .Prepend((manifest.Encoder.File, manifest.Encoder.Sha256));

    /// <summary>Lower-case hex SHA-256 of a file.</summary>
    public static async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return await Sha256Async(stream, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lower-case hex SHA-256 of a stream, read to its end.</summary>
    public static async Task<string> Sha256Async(Stream stream, CancellationToken cancellationToken) =>
        Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));

    /// <summary>Checks a package file exists and (unless <paramref name="expected"/> is null: already verified) its hash.</summary>
    public static async Task VerifyAsync(string directory, string file, string? expected, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, file);
        if (!File.Exists(path))
        {
            ClassifierThrow.ModelInvalid($"The manifest lists '{file}' but the package at '{directory}' has no such file; re-publish the whole package.");
        }

        if (expected is null)
        {
            return;
        }

        var actual = await Sha256Async(path, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(actual, expected, StringComparison.Ordinal))
        {
            ClassifierThrow.ModelInvalid(
                $"'{file}' has sha256 {actual} but the manifest declares {expected}: the file is corrupt, partly copied or from another package. " +
                "Re-download or re-publish the package.");
        }
    }
}
