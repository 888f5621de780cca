using Azure;
using Azure.Storage.Blobs;
using Serverless.Classifier.Model;

namespace Serverless.Classifier.Storage;

/// <summary>
/// Publishes a model package folder to <c>&lt;container&gt;/&lt;name&gt;/&lt;version&gt;/</c>: every file the manifest
/// lists (each checked against its hash before upload), the manifest last, then checks what was uploaded, and only
/// then (when promoting) rewrites <c>&lt;name&gt;/latest.json</c>, so a reader never sees a half-published version.
/// </summary>
public static class ModelPublisher
{
    /// <summary>The blobs a publish writes, in order (manifest after the files it lists; latest.json last).</summary>
    public static async Task<IReadOnlyList<string>> PlanAsync(string packageDirectory, string? name, string? version, CancellationToken cancellationToken)
    {
        var manifest = await ModelManifestJson.ReadAsync(Path.Combine(packageDirectory, ModelManifest.FileName), cancellationToken).ConfigureAwait(false);
        var prefix = $"{name ?? manifest.Name}/{version ?? manifest.Version}/";
        return [.. PackageFiles.Of(manifest).Select(f => prefix + f.File), prefix + ModelManifest.FileName];
    }

    /// <summary>Uploads and verifies a package; with <paramref name="promote"/>, makes it the served version.</summary>
    /// <param name="container">The models container (created when missing).</param>
    /// <param name="packageDirectory">A package folder with manifest.json.</param>
    /// <param name="name">The model name to publish under (default: the manifest's); the uploaded manifest carries it.</param>
    /// <param name="version">The version to publish as (default: the manifest's); the uploaded manifest carries it.</param>
    /// <param name="promote">Rewrite latest.json to this version once the upload is verified.</param>
    /// <param name="cancellationToken">Stops the upload (latest.json is then untouched).</param>
    /// <returns>The published manifest.</returns>
    public static async Task<ModelManifest> PublishAsync(
        BlobContainerClient container, string packageDirectory, string? name, string? version, bool promote, CancellationToken cancellationToken)
    {
        var manifest = await ModelManifestJson.ReadAsync(Path.Combine(packageDirectory, ModelManifest.FileName), cancellationToken).ConfigureAwait(false);
        manifest = manifest with { Name = name ?? manifest.Name, Version = version ?? manifest.Version };
        var prefix = $"{manifest.Name}/{manifest.Version}/";
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);

        foreach (var (file, sha256) in PackageFiles.Of(manifest))
        {
            var path = Path.Combine(packageDirectory, file);
            var hash = await PackageFiles.Sha256Async(path, cancellationToken).ConfigureAwait(false);
            if (hash != sha256)
            {
                ClassifierThrow.ModelInvalid($"'{path}' has sha256 {hash} but the manifest declares {sha256}; the package folder is inconsistent. Re-export it.");
            }

            await container.GetBlobClient(prefix + file).UploadAsync(path, overwrite: true, cancellationToken).ConfigureAwait(false);
        }

        await container.GetBlobClient(prefix + ModelManifest.FileName)
            .UploadAsync(BinaryData.FromString(ModelManifestJson.Serialize(manifest) + "\n"), overwrite: true, cancellationToken).ConfigureAwait(false);
        await VerifyAsync(container, manifest, cancellationToken).ConfigureAwait(false);
        if (promote)
        {
            await PromoteAsync(container, manifest.Name, manifest.Version, cancellationToken).ConfigureAwait(false);
        }

        return manifest;
    }

    /// <summary>Points latest.json at a published version after checking that version is complete (roll forward or back).</summary>
    public static async Task PromoteAsync(BlobContainerClient container, string name, string version, CancellationToken cancellationToken)
    {
        BinaryData manifestBytes;
        try
        {
            manifestBytes = (await container.GetBlobClient($"{name}/{version}/{ModelManifest.FileName}").DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content;
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            throw new ClassifierException(
                ClassifierErrorKind.ModelUnavailable,
                $"'{container.Name}/{name}/{version}/{ModelManifest.FileName}' does not exist; publish version '{version}' before promoting it.",
                exception);
        }

        var manifest = ModelManifestJson.Parse(manifestBytes.ToMemory().Span, $"{container.Name}/{name}/{version}/{ModelManifest.FileName}");
        await VerifyAsync(container, manifest, cancellationToken).ConfigureAwait(false);
        await container.GetBlobClient($"{name}/{ModelRelease.FileName}")
            .UploadAsync(new ModelRelease(version).ToJson(), overwrite: true, cancellationToken).ConfigureAwait(false);
    }

    // Every listed file is there with the size and content hash of what was written (blob MD5 checked by the service on upload).
    private static async Task VerifyAsync(BlobContainerClient container, ModelManifest manifest, CancellationToken cancellationToken)
    {
        var prefix = $"{manifest.Name}/{manifest.Version}/";
        foreach (var (file, sha256) in PackageFiles.Of(manifest))
        {
            var blob = container.GetBlobClient(prefix + file);
            string actual;
            try
            {
                await using var stream = await blob.OpenReadAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                actual = await PackageFiles.Sha256Async(stream, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException exception) when (exception.Status == 404)
            {
                throw new ClassifierException(ClassifierErrorKind.ModelInvalid, $"'{container.Name}/{blob.Name}' is missing; version '{manifest.Version}' is incomplete. Re-publish it.", exception);
            }

            if (actual != sha256)
            {
                ClassifierThrow.ModelInvalid($"'{container.Name}/{blob.Name}' has sha256 {actual} but the manifest declares {sha256}; re-publish version '{manifest.Version}'.");
            }
        }
    }
}
