using Microsoft.Extensions.Logging;
using Serverless.Classifier.Inference;

namespace Serverless.Classifier.Model;

/// <summary>
/// Reading, writing and checking model packages (a folder with <c>manifest.json</c>, the encoder, the vocabulary and
/// <c>heads/</c>; the layout is in docs/architecture.md). For tools such as model-export; the service loads packages
/// through <see cref="ITextClassifier"/>.
/// </summary>
public static class ModelPackage
{
    /// <summary>Reads and checks <c>manifest.json</c> of a package folder (schema version, names, paths, labels).</summary>
    /// <exception cref="ClassifierException">ModelInvalid: the manifest is missing, not JSON, or breaks the schema.</exception>
    public static Task<ModelManifest> ReadManifestAsync(string directory, CancellationToken cancellationToken) =>
        ModelManifestJson.ReadAsync(Path.Combine(directory, ModelManifest.FileName), cancellationToken);

    /// <summary>Writes <c>manifest.json</c> into a package folder (camelCase JSON, enums as lower-case strings).</summary>
    public static Task WriteManifestAsync(string directory, ModelManifest manifest, CancellationToken cancellationToken) =>
        File.WriteAllTextAsync(Path.Combine(directory, ModelManifest.FileName), ToJson(manifest) + "\n", cancellationToken);

    /// <summary>The manifest as the package's JSON (indented, without a trailing newline).</summary>
    public static string ToJson(ModelManifest manifest) => ModelManifestJson.Serialize(manifest);

    /// <summary>Lower-case hex SHA-256 of a file, as manifests record it.</summary>
    public static Task<string> Sha256Async(string path, CancellationToken cancellationToken) => PackageFiles.Sha256Async(path, cancellationToken);

    /// <summary>The encoder's files, relative to the package folder: its ONNX file and, when stored apart, its weights.</summary>
    public static IEnumerable<string> FilesOf(EncoderManifest encoder) => PackageFiles.Of(encoder).Select(f => f.File);

    /// <summary>
    /// Loads the whole package the way the service does (every hash, the tokenizer's special tokens, the sessions'
    /// names and widths, one warm-up run through every head) and closes it again.
    /// </summary>
    /// <exception cref="ClassifierException">ModelInvalid, with a message naming the file and the values found and expected.</exception>
    public static async Task VerifyAsync(string directory, ClassifierOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        using var model = await ClassifierModel.LoadAsync(directory, new OnnxSessionFactory(options, logger), logger, cancellationToken).ConfigureAwait(false);
    }
}
