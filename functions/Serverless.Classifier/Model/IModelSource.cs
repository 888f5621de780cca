namespace Serverless.Classifier.Model;

/// <summary>Where a model package comes from: a folder (tests, local runs) or blob storage (downloaded to a cache).</summary>
internal interface IModelSource
{
    /// <summary>Where the package is read from, for logs and errors (a path or a blob prefix; never a secret).</summary>
    string Description { get; }

    /// <summary>The version this source would serve now (latest.json, a pinned version, or the folder's manifest);
    /// null when it cannot tell. Cheap enough to poll.</summary>
    Task<string?> GetLatestVersionAsync(CancellationToken cancellationToken);

    /// <summary>True when <see cref="GetPackageDirectoryAsync"/> has already checked every file against the manifest's
    /// SHA-256 (the blob source does as it downloads or reuses cached files), so loading need not hash them again.</summary>
    bool VerifiesHashes { get; }

    /// <summary>A local folder holding the whole package (manifest.json, encoder, vocabulary, heads/).</summary>
    Task<string> GetPackageDirectoryAsync(CancellationToken cancellationToken);
}
