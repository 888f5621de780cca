using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serverless.Classifier.Model;

/// <summary>Reads, checks and writes <c>manifest.json</c>.</summary>
internal static class ModelManifestJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    /// <summary>Parses and checks a manifest; every defect is a <see cref="ClassifierErrorKind.ModelInvalid"/> naming the field.</summary>
    public static ModelManifest Parse(ReadOnlySpan<byte> utf8Json, string source)
    {
        ModelManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ModelManifest>(utf8Json, Options);
        }
        catch (JsonException exception)
        {
            throw new ClassifierException(
                ClassifierErrorKind.ModelInvalid,
                $"'{source}' is not a valid model manifest: {exception.Message} Re-export the package with model-export.",
                exception);
        }

        if (manifest is null)
        {
            ClassifierThrow.ModelInvalid($"'{source}' is empty (JSON null); expected a model manifest object.");
        }

        Validate(manifest, source);
        return manifest;
    }

    public static async Task<ModelManifest> ReadAsync(string path, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ClassifierException(
                ClassifierErrorKind.ModelUnavailable,
                $"'{path}' does not exist; a model package folder holds {ModelManifest.FileName}, the encoder, the vocabulary and heads/. " +
                "Point Classifier:ModelPath at one, or create one with model-export.",
                exception);
        }

        return Parse(bytes, path);
    }

    public static string Serialize(ModelManifest manifest) => JsonSerializer.Serialize(manifest, Options);

    private static void Validate(ModelManifest manifest, string source)
    {
        if (manifest.SchemaVersion != ModelManifest.CurrentSchemaVersion)
        {
            ClassifierThrow.ModelInvalid(
                $"'{source}' has schemaVersion {manifest.SchemaVersion}; this runtime reads {ModelManifest.CurrentSchemaVersion}. " +
                "Re-export the package with the model-export of this release, or run the release that wrote it.");
        }

        Require(manifest.Name, "name", source);
        Require(manifest.Version, "version", source);
        RequireRelativePath(manifest.Encoder.File, "encoder.file", source);
        RequireSha256(manifest.Encoder.Sha256, "encoder.sha256", source);
        if (manifest.Encoder.DataFile is null != manifest.Encoder.DataSha256 is null)
        {
            ClassifierThrow.ModelInvalid(
                $"'{source}' sets only one of encoder.dataFile and encoder.dataSha256; an encoder with external weights needs both (model-export writes them together).");
        }

        if (manifest.Encoder.DataFile is { } dataFile)
        {
            RequireRelativePath(dataFile, "encoder.dataFile", source);
            RequireSha256(manifest.Encoder.DataSha256, "encoder.dataSha256", source);
        }
        if (manifest.Encoder.SourceSha256 is { } sourceSha256)
        {
            RequireSha256(sourceSha256, "encoder.sourceSha256", source);
        }

        if (manifest.Encoder.ClsOnlyLastLayer && manifest.Heads.FirstOrDefault(h => h.Pooling != Pooling.Cls) is { } pooled)
        {
            ClassifierThrow.ModelInvalid(
                $"'{source}' head '{pooled.Name}' pools {pooled.Pooling.ToString().ToLowerInvariant()} but encoder.clsOnlyLastLayer is true (the encoder's last layer computes [CLS] only); " +
                "use the full fp32 encoder for this head, or quantize with --full-last-layer.");
        }
        if (manifest.Encoder.HiddenSize <= 0)
        {
            ClassifierThrow.ModelInvalid($"'{source}' declares encoder.hiddenSize {manifest.Encoder.HiddenSize}; expected a positive width such as 384 or 768.");
        }

        var tokenizer = manifest.Tokenizer;
        if (!string.Equals(tokenizer.Type, "wordpiece", StringComparison.Ordinal))
        {
            ClassifierThrow.ModelInvalid($"'{source}' specifies tokenizer.type '{tokenizer.Type}'; only 'wordpiece' (BERT family) is supported.");
        }

        RequireRelativePath(tokenizer.File, "tokenizer.file", source);
        RequireSha256(tokenizer.Sha256, "tokenizer.sha256", source);
        if (tokenizer.MaxLength < 3)
        {
            ClassifierThrow.ModelInvalid($"'{source}' declares tokenizer.maxLength {tokenizer.MaxLength}; expected at least 3 ([CLS], one token, [SEP]).");
        }

        if (tokenizer.MaxInputCharsPerWord <= 0)
        {
            ClassifierThrow.ModelInvalid($"'{source}' declares tokenizer.maxInputCharsPerWord {tokenizer.MaxInputCharsPerWord}; expected a positive count (Hugging Face uses 100).");
        }

        if (manifest.Heads.Count == 0)
        {
            ClassifierThrow.ModelInvalid($"'{source}' declares no heads; expected at least one under 'heads'.");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < manifest.Heads.Count; i++)
        {
            var head = manifest.Heads[i];
            var field = $"heads[{i}]";
            Require(head.Name, field + ".name", source);
            if (!names.Add(head.Name))
            {
                ClassifierThrow.ModelInvalid($"'{source}' declares head '{head.Name}' twice; head names must be unique.");
            }

            RequireRelativePath(head.File, field + ".file", source);
            RequireSha256(head.Sha256, field + ".sha256", source);
            if (head.Labels.Count == 0 || head.Labels.Any(string.IsNullOrWhiteSpace))
            {
                ClassifierThrow.ModelInvalid($"'{source}' head '{head.Name}' has {head.Labels.Count} labels, some blank or none; expected one non-blank label per logit.");
            }

            if (head.Labels.Distinct(StringComparer.Ordinal).Count() != head.Labels.Count)
            {
                ClassifierThrow.ModelInvalid($"'{source}' head '{head.Name}' repeats a label in [{string.Join(", ", head.Labels)}]; labels must be unique.");
            }

            if (head.Threshold is { } threshold && (threshold is < 0 or > 1 || double.IsNaN(threshold)))
            {
                ClassifierThrow.ModelInvalid($"'{source}' head '{head.Name}' has threshold {threshold}; expected a score in [0, 1].");
            }

            if (head.Thresholds is { } thresholds)
            {
                if (head.Activation != Activation.Sigmoid)
                {
                    ClassifierThrow.ModelInvalid($"'{source}' head '{head.Name}' has thresholds but activation {head.Activation.ToString().ToLowerInvariant()}; thresholds are for sigmoid (multi-label) heads.");
                }

                if (thresholds.Count != head.Labels.Count || thresholds.Any(t => t is < 0 or > 1 || double.IsNaN(t)))
                {
                    ClassifierThrow.ModelInvalid(
                        $"'{source}' head '{head.Name}' has thresholds [{string.Join(", ", thresholds)}]; expected one score in [0, 1] per label ({head.Labels.Count}).");
                }
            }

            if (head.Temperature is { } temperature && !(temperature > 0 && double.IsFinite(temperature)))
            {
                ClassifierThrow.ModelInvalid($"'{source}' head '{head.Name}' has temperature {temperature}; expected a positive number (1 leaves logits as they are).");
            }
        }

        if (!names.Contains(manifest.DefaultHead))
        {
            ClassifierThrow.ModelInvalid(
                $"'{source}' names defaultHead '{manifest.DefaultHead}', which is not among its heads [{string.Join(", ", names)}].");
        }
    }

    private static void Require(string? value, string field, string source)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            ClassifierThrow.ModelInvalid($"'{source}' has no '{field}'; it is required.");
        }
    }

    private static void RequireRelativePath(string? value, string field, string source)
    {
        Require(value, field, source);
        var segments = value!.Split('/', '\\');
        if (Path.IsPathRooted(value) || segments.Contains("..") || segments.Contains(""))
        {
            ClassifierThrow.ModelInvalid(
                $"'{source}' has {field} '{value}'; expected a path inside the package such as 'encoder.onnx' or 'heads/sentiment.onnx' (no '..', not absolute).");
        }
    }

    private static void RequireSha256(string? value, string field, string source)
    {
        if (value is null || value.Length != 64 || !value.All(char.IsAsciiHexDigitLower))
        {
            ClassifierThrow.ModelInvalid($"'{source}' has {field} '{value}'; expected 64 lower-case hex digits (SHA-256).");
        }
    }
}
