using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using ModelExport.Importing;
using ModelExport.Training;
using Serverless.Classifier;
using Serverless.Classifier.Model;

namespace ModelExport.Commands;

/// <summary>
/// <c>import-hf --checkpoint DIR --encoder-onnx FILE --out DIR</c>: a model package from a fine-tuned Hugging Face
/// classifier: the head built from the checkpoint's own weights, labels from id2label, activation from problem_type,
/// tokenizer flags from tokenizer_config.json, and the encoder exported to ONNX beforehand (optimum or export_encoder.py).
/// </summary>
internal static class ImportHfCommand
{
    public static Command Create(CommandContext context)
    {
        var checkpoint = Options.RequiredFile("--checkpoint", "Checkpoint folder: config.json, model.safetensors, vocab.txt, tokenizer_config.json.");
        var encoderOnnx = Options.RequiredFile("--encoder-onnx", "The checkpoint's encoder as ONNX (output last_hidden_state), e.g. from optimum-cli export onnx --task feature-extraction.");
        var output = Options.RequiredFile("--out", "Model package folder to write.");
        var name = new Option<string>("--name") { Description = "Model name (default: the checkpoint folder's name)." };
        var version = new Option<string>("--version") { Description = "Package version.", DefaultValueFactory = _ => "1" };
        var headName = new Option<string>("--head-name") { Description = "The head's name in the package.", DefaultValueFactory = _ => "classifier" };
        var command = new Command("import-hf", "Build a model package from a Hugging Face sequence-classification checkpoint and its ONNX encoder.")
        {
            checkpoint, encoderOnnx, output, name, version, headName,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var source = Path.GetFullPath(parse.GetValue(checkpoint)!);
            var hf = HfCheckpoint.Read(source);
            var outDirectory = Path.GetFullPath(parse.GetValue(output)!);
            Directory.CreateDirectory(Path.Combine(outDirectory, "heads"));

            var encoderSource = parse.GetValue(encoderOnnx)!;
            if (!File.Exists(encoderSource))
            {
                throw new ModelExportException($"'{encoderSource}' does not exist; export the encoder first (model-export/README.md, import-hf).");
            }

            File.Copy(encoderSource, Path.Combine(outDirectory, "encoder.onnx"), overwrite: true);
            File.Copy(Path.Combine(source, "vocab.txt"), Path.Combine(outDirectory, "vocab.txt"), overwrite: true);
            var encoder = DescribeEncoder(Path.Combine(outDirectory, "encoder.onnx"), hf.HiddenSize);

            var head = parse.GetValue(headName)!;
            using var onnx = new MemoryStream();
            HeadOnnx.Write(hf.Head, onnx);
            await File.WriteAllBytesAsync(Path.Combine(outDirectory, "heads", head + ".onnx"), onnx.ToArray(), cancellationToken);

            var manifest = new ModelManifest
            {
                SchemaVersion = ModelManifest.CurrentSchemaVersion,
                Name = parse.GetValue(name) ?? Path.GetFileName(source),
                Version = parse.GetValue(version)!,
                Encoder = encoder with { Sha256 = await ModelPackage.Sha256Async(Path.Combine(outDirectory, "encoder.onnx"), cancellationToken) },
                Tokenizer = hf.Tokenizer with { Sha256 = await ModelPackage.Sha256Async(Path.Combine(outDirectory, "vocab.txt"), cancellationToken) },
                Heads =
                [
                    new HeadManifest
                    {
                        Name = head,
                        File = $"heads/{head}.onnx",
                        Sha256 = Convert.ToHexStringLower(SHA256.HashData(onnx.ToArray())),
                        Labels = hf.Labels,
                        Pooling = Pooling.Cls,
                        Activation = hf.Activation,
                        Threshold = hf.Activation == Activation.Sigmoid ? 0.5 : null,
                        Input = HeadOnnx.InputName,
                        Output = HeadOnnx.OutputName,
                    },
                ],
                DefaultHead = head,
            };
            await ModelPackage.WriteManifestAsync(outDirectory, manifest, cancellationToken);

            // The runtime's own checks (hashes, names, widths, labels, special tokens, a warm-up run) on what was written.
            await ModelPackage.VerifyAsync(outDirectory, new ClassifierOptions(), NullLogger.Instance, cancellationToken);

            await context.Output.WriteLineAsync(JsonSerializer.Serialize(
                new { model = manifest.Name, version = manifest.Version, modelType = hf.ModelType, head, labels = hf.Labels, activation = hf.Activation, maxLength = hf.Tokenizer.MaxLength, tokenTypeIds = encoder.TokenTypeIds is not null },
                Json.Report));
            return 0;
        });
        return command;
    }

    private static EncoderManifest DescribeEncoder(string path, int hiddenSize)
    {
        using var session = new InferenceSession(path);
        if (!session.OutputMetadata.TryGetValue("last_hidden_state", out var output))
        {
            throw new ModelExportException(
                $"The encoder ONNX has outputs [{string.Join(", ", session.OutputMetadata.Keys)}]; expected 'last_hidden_state' (export with --task feature-extraction, not text-classification).");
        }

        if (output.Dimensions is [_, _, > 0 and var width] && width != hiddenSize)
        {
            throw new ModelExportException($"The encoder ONNX outputs width {width} but the checkpoint's config.json says {hiddenSize}; export the encoder of this checkpoint.");
        }

        if (!session.InputMetadata.ContainsKey("input_ids") || !session.InputMetadata.ContainsKey("attention_mask"))
        {
            throw new ModelExportException($"The encoder ONNX has inputs [{string.Join(", ", session.InputMetadata.Keys)}]; expected input_ids and attention_mask.");
        }

        return new EncoderManifest
        {
            File = "encoder.onnx",
            Sha256 = string.Empty,
            HiddenSize = hiddenSize,
            TokenTypeIds = session.InputMetadata.ContainsKey("token_type_ids") ? "token_type_ids" : null,
        };
    }
}
