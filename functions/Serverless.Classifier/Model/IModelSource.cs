namespace Serverless.Classifier.Model;

/// <summary>Where a model package comes from: a folder (tests, local runs) or blob storage (downloaded to a cache).</summary>
internal interface IModelSource
{
    /// <summary>Where the package is read from, for logs and errors (a path or a blob prefix; never a secret).</summary>
    string Description { get; }

    /// <summary>A local folder holding the whole package (manifest.json, encoder, vocabulary, heads/).</summary>
    Task<string> GetPackageDirectoryAsync(CancellationToken cancellationToken);
}
