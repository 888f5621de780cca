namespace Serverless.Classifier.Model;

/// <summary>
/// <c>manifest.json</c>, the contract between model-export and the runtime (docs/architecture.md): what the files of a
/// model package are, their hashes, tensor names, sizes, tokenizer flags and, per head, labels, pooling and activation.
/// Serialized as camelCase JSON with enums as lower-case strings (<see cref="ModelManifestJson"/>).
/// </summary>
public sealed record ModelManifest
{
    /// <summary>The manifest file's name inside a package.</summary>
    public const string FileName = "manifest.json";

    /// <summary>The schema version this runtime reads and model-export writes.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>The schema version; must be <see cref="CurrentSchemaVersion"/>.</summary>
    public required int SchemaVersion { get; init; }

    /// <summary>The model's name (blob prefix <c>&lt;container&gt;/&lt;name&gt;/</c>).</summary>
    public required string Name { get; init; }

    /// <summary>The package version (blob prefix <c>&lt;container&gt;/&lt;name&gt;/&lt;version&gt;/</c>).</summary>
    public required string Version { get; init; }

    /// <summary>The encoder.</summary>
    public required EncoderManifest Encoder { get; init; }

    /// <summary>The tokenizer.</summary>
    public required TokenizerManifest Tokenizer { get; init; }

    /// <summary>The heads; one encoder pass serves all of them.</summary>
    public required IReadOnlyList<HeadManifest> Heads { get; init; }

    /// <summary>The head used when a request names none.</summary>
    public required string DefaultHead { get; init; }
}
