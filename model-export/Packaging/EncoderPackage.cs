using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using Serverless.Classifier;
using Serverless.Classifier.Inference;
using Serverless.Classifier.Model;

namespace ModelExport.Packaging;

/// <summary>
/// An encoder to compute features with: a model package folder (its manifest's encoder and tokenizer sections), or a
/// bare folder with <c>encoder.onnx</c> and a BERT-uncased <c>vocab.txt</c> (hidden size read from the ONNX graph).
/// </summary>
internal sealed class EncoderPackage : IDisposable
{
    public const string EncoderFile = "encoder.onnx";
    public const string VocabularyFile = "vocab.txt";

    private EncoderPackage(string directory, EncoderManifest encoder, TokenizerManifest tokenizer, ModelManifest? manifest, FeatureExtractor features)
    {
        Directory = directory;
        Encoder = encoder;
        Tokenizer = tokenizer;
        Manifest = manifest;
        Features = features;
    }

    /// <summary>The default model package copied next to the tool (models/default, built from NuGet).</summary>
    public static string DefaultModelDirectory => Path.Combine(AppContext.BaseDirectory, "models", "default");

    /// <summary>The package the service serves by default: the int8 variant the build quantized (models/default-int8),
    /// when it exists (it passed its accuracy gate), else <see cref="DefaultModelDirectory"/>.</summary>
    public static string ServedModelDirectory
    {
        get
        {
            var int8 = Path.Combine(AppContext.BaseDirectory, "models", "default-int8");
            return File.Exists(Path.Combine(int8, ModelManifest.FileName)) ? int8 : DefaultModelDirectory;
        }
    }

    public string Directory { get; }

    public EncoderManifest Encoder { get; }

    public TokenizerManifest Tokenizer { get; }

    /// <summary>The folder's manifest, when it is a model package.</summary>
    public ModelManifest? Manifest { get; }

    /// <summary>The tokenizer and encoder session, for features.</summary>
    public FeatureExtractor Features { get; }

    public static async Task<EncoderPackage> OpenAsync(string directory, ILogger logger, CancellationToken cancellationToken)
    {
        directory = Path.GetFullPath(directory);
        ModelManifest? manifest = null;
        EncoderManifest encoder;
        TokenizerManifest tokenizer;
        var manifestPath = Path.Combine(directory, ModelManifest.FileName);
        if (File.Exists(manifestPath))
        {
            manifest = await ModelPackage.ReadManifestAsync(directory, cancellationToken).ConfigureAwait(false);
            (encoder, tokenizer) = (manifest.Encoder, manifest.Tokenizer);
        }
        else if (File.Exists(Path.Combine(directory, EncoderFile)) && File.Exists(Path.Combine(directory, VocabularyFile)))
        {
            encoder = new EncoderManifest
            {
                File = EncoderFile,
                Sha256 = await ModelPackage.Sha256Async(Path.Combine(directory, EncoderFile), cancellationToken).ConfigureAwait(false),
                HiddenSize = ReadHiddenSize(Path.Combine(directory, EncoderFile)),
            };
            tokenizer = new TokenizerManifest
            {
                File = VocabularyFile,
                Sha256 = await ModelPackage.Sha256Async(Path.Combine(directory, VocabularyFile), cancellationToken).ConfigureAwait(false),
            };
            using var probe = new InferenceSession(Path.Combine(directory, EncoderFile));
            if (!probe.InputMetadata.ContainsKey(encoder.TokenTypeIds!))
            {
                encoder = encoder with { TokenTypeIds = null };
            }
        }
        else
        {
            throw new ModelExportException(
                $"'{directory}' is neither a model package ({ModelManifest.FileName}) nor an encoder folder ({EncoderFile} and {VocabularyFile}).");
        }

        if (encoder.Precision != EncoderPrecision.Fp32 || encoder.ClsOnlyLastLayer)
        {
            // Heads are trained and poolings compared on the exact features; a derived encoder would bake its error in.
            throw new ModelExportException(
                $"'{directory}' holds a derived encoder ({encoder.Precision.ToString().ToLowerInvariant()}{(encoder.ClsOnlyLastLayer ? ", last layer for [CLS] only" : string.Empty)}, made from the fp32 encoder {encoder.SourceSha256}); " +
                "train heads and compare poolings on the fp32 package, then quantize it again.");
        }

        var features = await FeatureExtractor.OpenAsync(directory, encoder, tokenizer, new ClassifierOptions(), logger, cancellationToken).ConfigureAwait(false);
        return new EncoderPackage(directory, encoder, tokenizer, manifest, features);
    }

    public void Dispose() => Features.Dispose();

    private static int ReadHiddenSize(string path)
    {
        using var session = new InferenceSession(path);
        var output = session.OutputMetadata.TryGetValue("last_hidden_state", out var named) ? named : session.OutputMetadata.Values.First();
        return output.Dimensions is [_, _, > 0 and var width]
            ? width
            : throw new ModelExportException(
                $"'{path}' has a symbolic hidden size ([{string.Join(", ", output.Dimensions)}]); write a {ModelManifest.FileName} with encoder.hiddenSize next to it.");
    }
}
