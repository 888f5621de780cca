using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Serverless.Classifier.Diagnostics;
using Serverless.Classifier.Model;

namespace Serverless.Classifier.Storage;

/// <summary>
/// Model packages in blob storage: <c>&lt;container&gt;/&lt;name&gt;/&lt;version&gt;/</c>, the version named by
/// <c>&lt;name&gt;/latest.json</c> unless one is pinned. Downloads a package into a local cache (files in parallel,
/// each verified against the manifest's SHA-256, written beside and renamed into place) and reuses cached files whose
/// hashes match. <c>latest.json</c> is polled with its ETag, so an unchanged release costs one conditional request.
/// </summary>
internal sealed class BlobModelSource : IModelSource
{
    private readonly BlobContainerClient _container;
    private readonly string _modelName;
    private readonly string? _pinnedVersion;
    private readonly string _cacheRoot;
    private readonly ILogger _logger;
    private (ETag ETag, string Version)? _release;

    public BlobModelSource(BlobContainerClient container, string modelName, string? pinnedVersion, string cacheRoot, ILogger logger)
    {
        _container = container;
        _modelName = modelName;
        _pinnedVersion = string.IsNullOrWhiteSpace(pinnedVersion) ? null : pinnedVersion;
        _cacheRoot = cacheRoot;
        _logger = logger;
    }

    public string Description => $"{_container.Uri.GetLeftPart(UriPartial.Path)}/{_modelName}/{_pinnedVersion ?? ModelRelease.FileName}";

    public async Task<string?> GetLatestVersionAsync(CancellationToken cancellationToken)
    {
        if (_pinnedVersion is not null)
        {
            return _pinnedVersion;
        }

        var blob = _container.GetBlobClient($"{_modelName}/{ModelRelease.FileName}");
        try
        {
            var conditions = _release is { } known ? new BlobRequestConditions { IfNoneMatch = known.ETag } : null;
            var response = await blob.DownloadContentAsync(new BlobDownloadOptions { Conditions = conditions }, cancellationToken).ConfigureAwait(false);
            // NOTE: a 304 (unchanged since our ETag) comes back as a response without a value, not as an exception.
            if (!response.HasValue && _release is { } unchanged)
            {
                return unchanged.Version;
            }

            var release = ModelRelease.Parse(response.Value.Content, $"{_container.Name}/{blob.Name}");
            _release = (response.Value.Details.ETag, release.Version);
            return release.Version;
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            throw new ClassifierException(
                ClassifierErrorKind.ModelUnavailable,
                $"'{_container.Name}/{blob.Name}' does not exist: no version of model '{_modelName}' is published. Publish one (model-export publish), or pin Classifier__ModelVersion.",
                exception);
        }
        catch (RequestFailedException exception)
        {
            throw new ClassifierException(ClassifierErrorKind.ModelUnavailable, $"Reading '{_container.Name}/{blob.Name}' failed ({exception.Status} {exception.ErrorCode}).", exception);
        }
    }

    // Every file is hashed in FetchAsync (downloaded or cached) before the manifest is written beside it.
    public bool VerifiesHashes => true;

    public async Task<string> GetPackageDirectoryAsync(CancellationToken cancellationToken)
    {
        var version = await GetLatestVersionAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("A blob model source always has a version.");
        var prefix = $"{_modelName}/{version}/";
        var directory = Path.Combine(_cacheRoot, _modelName, version);
        Directory.CreateDirectory(directory);

        var manifestBlob = _container.GetBlobClient(prefix + ModelManifest.FileName);
        BinaryData manifestBytes;
        try
        {
            manifestBytes = (await manifestBlob.DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content;
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            throw new ClassifierException(
                ClassifierErrorKind.ModelUnavailable,
                $"'{_container.Name}/{manifestBlob.Name}' does not exist: version '{version}' of model '{_modelName}' is not (fully) published. Re-publish it, or promote another version.",
                exception);
        }

        var manifest = ModelManifestJson.Parse(manifestBytes.ToMemory().Span, $"{_container.Name}/{manifestBlob.Name}");
        await Parallel.ForEachAsync(
            PackageFiles.Of(manifest),
            new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
            async (file, token) => await FetchAsync(prefix, directory, file.Item1, file.Item2, token).ConfigureAwait(false)).ConfigureAwait(false);

        // The manifest goes last: a folder with a manifest has every file it lists.
        await WriteAtomicallyAsync(Path.Combine(directory, ModelManifest.FileName), manifestBytes.ToArray(), cancellationToken).ConfigureAwait(false);
        return directory;
    }

    private async Task FetchAsync(string prefix, string directory, string file, string sha256, CancellationToken cancellationToken)
    {
        var target = Path.Combine(directory, file);
        if (File.Exists(target) && await PackageFiles.Sha256Async(target, cancellationToken).ConfigureAwait(false) == sha256)
        {
            Log.ModelFileCached(_logger, file);
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temporary = $"{target}.{Guid.NewGuid():N}.download";
        var blob = _container.GetBlobClient(prefix + file);
        try
        {
            await blob.DownloadToAsync(temporary, cancellationToken).ConfigureAwait(false);
            var actual = await PackageFiles.Sha256Async(temporary, cancellationToken).ConfigureAwait(false);
            if (actual != sha256)
            {
                ClassifierThrow.ModelInvalid(
                    $"'{_container.Name}/{blob.Name}' has sha256 {actual} but its manifest declares {sha256}: the upload is corrupt or from another package. Re-publish the version.");
            }

            File.Move(temporary, target, overwrite: true);
            Log.ModelFileDownloaded(_logger, file);
        }
        catch (RequestFailedException exception)
        {
            throw new ClassifierException(
                exception.Status == 404 ? ClassifierErrorKind.ModelInvalid : ClassifierErrorKind.ModelUnavailable,
                $"Downloading '{_container.Name}/{blob.Name}' failed ({exception.Status} {exception.ErrorCode}); the manifest lists it.",
                exception);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static async Task WriteAtomicallyAsync(string path, byte[] content, CancellationToken cancellationToken)
    {
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        await File.WriteAllBytesAsync(temporary, content, cancellationToken).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
    }
}
