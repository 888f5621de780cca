namespace Serverless.Classifier.Model;

/// <summary>A model package in a local folder.</summary>
internal sealed class FileModelSource : IModelSource
{
    private readonly string _directory;

    public FileModelSource(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        _directory = Path.GetFullPath(directory);
    }

    public string Description => _directory;

    public bool VerifiesHashes => false;

    public async Task<string?> GetLatestVersionAsync(CancellationToken cancellationToken)
    {
        var manifest = Path.Combine(_directory, ModelManifest.FileName);
        return File.Exists(manifest) ? (await ModelManifestJson.ReadAsync(manifest, cancellationToken).ConfigureAwait(false)).Version : null;
    }

    public Task<string> GetPackageDirectoryAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(_directory))
        {
            ClassifierThrow.ModelUnavailable(
                $"Model package folder '{_directory}' does not exist. Set Classifier:ModelPath to a folder written by model-export " +
                "(the default model is models/default after 'dotnet build').");
        }

        return Task.FromResult(_directory);
    }
}
