using System.Buffers;
using System.Security.Cryptography;

namespace Serverless.Classifier.Model;

/// <summary>The files of a model package and their hashes: what loading verifies and publishing uploads.</summary>
internal static class PackageFiles
{
    private const int HashBufferBytes = 1 << 20;

    /// <summary>Every file the manifest lists (encoder and its external weights, vocabulary, heads) with its declared
    /// SHA-256; manifest.json excluded.</summary>
    public static IEnumerable<(string File, string Sha256)> Of(ModelManifest manifest) =>
        Of(manifest.Encoder)
            .Append((manifest.Tokenizer.File, manifest.Tokenizer.Sha256))
            .Concat(manifest.Heads.Select(h => (h.File, h.Sha256)));

    /// <summary>The encoder's ONNX file and, when its weights are stored apart, their file.</summary>
    public static IEnumerable<(string File, string Sha256)> Of(EncoderManifest encoder)
    {
        yield return (encoder.File, encoder.Sha256);
        if (encoder.DataFile is { } dataFile)
        {
            yield return (dataFile, encoder.DataSha256!);
        }
    }

    /// <summary>Checks that the encoder's files exist and, when <paramref name="verifyHashes"/>, their hashes.</summary>
    public static async Task VerifyAsync(string directory, EncoderManifest encoder, bool verifyHashes, CancellationToken cancellationToken)
    {
        foreach (var (file, sha256) in Of(encoder))
        {
            await VerifyAsync(directory, file, verifyHashes ? sha256 : null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Lower-case hex SHA-256 of a file.</summary>
    public static async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return await Sha256Async(stream, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lower-case hex SHA-256 of a stream, read to its end.</summary>
    /// <remarks>Reads in 1 MiB blocks: <see cref="SHA256.HashDataAsync(Stream, CancellationToken)"/> reads 4 KiB at a time,
    /// which hashed the 58 MB int8 encoder in about 120 ms where 1 MiB blocks take about 30 (a cold start pays it).</remarks>
    public static async Task<string> Sha256Async(Stream stream, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(HashBufferBytes);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(0, HashBufferBytes), cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

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
