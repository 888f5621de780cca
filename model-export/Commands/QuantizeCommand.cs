using System.CommandLine;
using System.Text.Json;
using ModelExport.Data;
using ModelExport.Packaging;
using ModelExport.Quantization;
using Onnx;
using Serverless.Classifier.Model;
using Serverless.Classifier.Tokenization;

namespace ModelExport.Commands;

/// <summary>
/// <c>quantize --model DIR --out DIR [--check-data FILE ...] [--max-accuracy-loss 0.015] [--min-agreement 0.985]
/// [--bits 8|7] [--force]</c>: writes an int8 copy of an fp32 package (same heads and vocabulary; see
/// <see cref="EncoderQuantizer"/>) after checking it against the fp32 package on labelled data through the serving code
/// path. The package is written only when, on every check file, accuracy drops by at most the limit and top-1 agreement
/// with fp32 is at least the minimum; <c>--force</c> writes it anyway, with a warning.
/// </summary>
internal static class QuantizeCommand
{
    public const double DefaultMaxAccuracyLoss = 0.015;
    public const double DefaultMinAgreement = 0.985;

    public static Command Create(CommandContext context)
    {
        var model = Options.Model();
        var output = Options.RequiredFile("--out", "Folder to write the int8 package to (must not exist, or be empty).");
        var checkData = new Option<string[]>("--check-data")
        {
            Description = "Labelled JSON Lines ({\"text\", \"label\"}) to compare int8 with fp32 on (repeatable); labels must be the head's.",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => [],
        };
        var calibrationData = new Option<string[]>("--calibration-data")
        {
            Description = "JSON Lines of texts ({\"text\"}) like those the model will serve (repeatable): the attention projections' inputs get " +
                "fixed scales from their ranges (faster). Without it every activation is quantized with per-row scales.",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => [],
        };
        var head = Options.Head();
        var maxLoss = new Option<double>("--max-accuracy-loss") { Description = "Largest accuracy drop allowed on any check file.", DefaultValueFactory = _ => DefaultMaxAccuracyLoss };
        var minAgreement = new Option<double>("--min-agreement") { Description = "Smallest share of texts whose top label int8 and fp32 agree on.", DefaultValueFactory = _ => DefaultMinAgreement };
        var bits = new Option<int>("--bits") { Description = "Weight bits: 8, or 7 (safer on CPUs without AVX-512 VNNI/AVX-VNNI).", DefaultValueFactory = _ => 8 };
        var version = new Option<string>("--model-version") { Description = "The int8 package's version (default: the fp32 version with '-int8')." };
        var force = new Option<bool>("--force") { Description = "Write the package even when a check fails (prints a warning)." };
        var fullLastLayer = new Option<bool>("--full-last-layer")
        {
            Description = "Keep every position in the last layer. By default, when every head pools cls, the last layer computes [CLS] only (faster, same [CLS]).",
        };
        var command = new Command("quantize", "Write an int8 copy of an fp32 model package, gated on accuracy and agreement with fp32.")
        {
            model, output, checkData, calibrationData, head, maxLoss, minAgreement, bits, version, force, fullLastLayer,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var source = parse.GetValue(model)!;
            var destination = Path.GetFullPath(parse.GetValue(output)!);
            var weightBits = parse.GetValue(bits);
            if (weightBits is not (7 or 8))
            {
                throw new ModelExportException($"--bits {weightBits} is not supported; use 8, or 7 on CPUs without VNNI.");
            }

            if (Directory.Exists(destination) && Directory.EnumerateFileSystemEntries(destination).Any())
            {
                throw new ModelExportException($"'{destination}' is not empty; choose a new folder for the int8 package.");
            }

            var checks = parse.GetValue(checkData)!.Select(path => (Path: path, Examples: LabelledData.Read(path))).ToArray();
            var calibration = parse.GetValue(calibrationData)!.SelectMany(LabelledData.ReadTexts).ToArray();
            var manifest = await ModelPackage.ReadManifestAsync(source, cancellationToken);
            if (manifest.Encoder.Precision != EncoderPrecision.Fp32)
            {
                throw new ModelExportException($"'{source}' holds an {manifest.Encoder.Precision.ToString().ToLowerInvariant()} encoder; quantize the fp32 package it came from.");
            }

            // Written next to the destination and moved into place only when it passes (or --force).
            var staging = destination.TrimEnd(Path.DirectorySeparatorChar) + ".partial-" + Guid.NewGuid().ToString("N")[..8];
            try
            {
                var clsOnly = !parse.GetValue(fullLastLayer) && manifest.Heads.All(h => h.Pooling == Pooling.Cls);
                var (written, ranges) = await WritePackageAsync(source, staging, manifest, weightBits, clsOnly, parse.GetValue(version), calibration, cancellationToken);
                var results = new List<CheckResult>();
                if (checks.Length > 0)
                {
                    // Each package is loaded once and scores every check file.
                    using var fp32 = new ServingClassifier(context, source);
                    using var int8 = new ServingClassifier(context, staging);
                    foreach (var (path, examples) in checks)
                    {
                        results.Add(await CheckAsync(fp32, int8, path, examples, CheckHead(manifest, path, examples, parse.GetValue(head)), cancellationToken));
                    }
                }

                var (loss, agreement) = (parse.GetValue(maxLoss), parse.GetValue(minAgreement));
                var failed = results.Where(r => r.AccuracyLoss > loss || r.Agreement < agreement).ToArray();
                var accepted = failed.Length == 0 || parse.GetValue(force);
                if (accepted)
                {
                    if (Directory.Exists(destination))
                    {
                        Directory.Delete(destination);
                    }

                    Directory.Move(staging, destination);
                }

                await context.Output.WriteLineAsync(JsonSerializer.Serialize(
                    new
                    {
                        model = written.Name,
                        version = written.Version,
                        sourceVersion = manifest.Version,
                        precision = written.Encoder.Precision,
                        weightBits,
                        activationScales = ranges is null ? "per-row" : "fixed for the attention projections' inputs, per-row for the feed-forward's",
                        calibration = ranges is null
                            ? null
                            : new
                            {
                                texts = calibration.Length,
                                activations = ranges.Select(r => new { name = r.Key, max = r.Value.Max, medianRowMax = r.Value.MedianRowMax }),
                            },
                        clsOnlyLastLayer = written.Encoder.ClsOnlyLastLayer,
                        sourceSha256 = written.Encoder.SourceSha256,
                        sha256 = written.Encoder.Sha256,
                        dataSha256 = written.Encoder.DataSha256,
                        maxAccuracyLoss = loss,
                        minAgreement = agreement,
                        checks = results,
                        written = accepted,
                        output = accepted ? destination : null,
                    },
                    Json.Report));
                foreach (var result in failed)
                {
                    await context.Error.WriteLineAsync(
                        $"{(accepted ? "WARNING (--force): writing anyway; " : "error: ")}int8 fails the check on '{result.File}': accuracy {Percent(result.Fp32Accuracy)} -> {Percent(result.Int8Accuracy)} " +
                        $"(loss {Percent(result.AccuracyLoss)}, limit {Percent(loss)}), agreement with fp32 {Percent(result.Agreement)} (minimum {Percent(agreement)}).");
                }

                if (checks.Length == 0)
                {
                    await context.Error.WriteLineAsync("warning: no --check-data given; the int8 package was not compared with fp32 on labelled data.");
                }

                return accepted ? 0 : 1;
            }
            finally
            {
                if (Directory.Exists(staging))
                {
                    Directory.Delete(staging, recursive: true);
                }
            }
        });
        return command;
    }

    private static string Percent(double share) => (share * 100).ToString("F2", System.Globalization.CultureInfo.InvariantCulture) + "%";

    /// <summary>Writes the int8 encoder, the unchanged vocabulary and heads, and the manifest into <paramref name="directory"/>.</summary>
    internal static async Task<(ModelManifest Manifest, Dictionary<string, ActivationRange>? Ranges)> WritePackageAsync(
        string source, string directory, ModelManifest manifest, int weightBits, bool clsOnlyLastLayer, string? version, IReadOnlyList<string> calibration, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var encoderPath = Path.Combine(source, manifest.Encoder.File);
        // The int8 manifest records this hash as its source: it has to be the file's.
        if (!File.Exists(encoderPath) || await ModelPackage.Sha256Async(encoderPath, cancellationToken) != manifest.Encoder.Sha256)
        {
            throw new ModelExportException($"'{encoderPath}' is missing or does not match the sha256 in its manifest; the package is damaged or was edited. Restore it before quantizing.");
        }

        var model = ModelProto.Parser.ParseFrom(await File.ReadAllBytesAsync(encoderPath, cancellationToken));
        if (clsOnlyLastLayer)
        {
            ClsOnlyLastLayer.Rewrite(model);
        }

        Dictionary<string, ActivationRange>? ranges = null;
        if (calibration.Count > 0)
        {
            var tokenizer = await WordPieceTextTokenizer.OpenAsync(source, manifest.Tokenizer, cancellationToken);
            ranges = ActivationRanges.Measure(model, EncoderQuantizer.FixedScaleInputs(model), manifest.Encoder, tokenizer, calibration, cancellationToken);
        }

        var quantized = EncoderQuantizer.Quantize(model, weightBits, ranges?.ToDictionary(r => r.Key, r => r.Value.Max, StringComparer.Ordinal));
        if (quantized == 0)
        {
            throw new ModelExportException($"'{encoderPath}' has no MatMul with a constant fp32 weight; there is nothing to quantize.");
        }

        model.ProducerName = "model-export quantize";
        var encoderFile = Path.Combine(directory, manifest.Encoder.File);
        Directory.CreateDirectory(Path.GetDirectoryName(encoderFile)!);
        await ExternalWeights.WriteAsync(model, encoderFile, cancellationToken);

        foreach (var file in manifest.Heads.Select(h => h.File).Append(manifest.Tokenizer.File))
        {
            var target = Path.Combine(directory, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(source, file), target);
        }

        var written = manifest with
        {
            Version = version ?? manifest.Version + "-int8",
            Encoder = manifest.Encoder with
            {
                Sha256 = await ModelPackage.Sha256Async(encoderFile, cancellationToken),
                DataFile = ExternalWeights.DataFileOf(manifest.Encoder.File),
                DataSha256 = await ModelPackage.Sha256Async(ExternalWeights.DataFileOf(encoderFile), cancellationToken),
                Precision = EncoderPrecision.Int8,
                ClsOnlyLastLayer = clsOnlyLastLayer,
                SourceSha256 = manifest.Encoder.Sha256,
            },
        };
        await ModelPackage.WriteManifestAsync(directory, written, cancellationToken);
        return (written, ranges);
    }

    /// <summary>The head a check file is scored with: --head, or else the first head whose labels cover the file's.</summary>
    private static string CheckHead(ModelManifest manifest, string path, IReadOnlyList<LabelledExample> examples, string? head)
    {
        if (head is not null)
        {
            return head;
        }

        var labels = examples.Select(e => e.Label).ToHashSet(StringComparer.Ordinal);
        return manifest.Heads.FirstOrDefault(h => labels.IsSubsetOf(h.Labels))?.Name
            ?? throw new ModelExportException(
                $"No head of the package has every label of '{path}' ([{string.Join(", ", labels.Order(StringComparer.Ordinal))}]); heads: " +
                string.Join("; ", manifest.Heads.Select(h => $"{h.Name} [{string.Join(", ", h.Labels)}]")) + ". Name one with --head.");
    }

    private static async Task<CheckResult> CheckAsync(
        ServingClassifier fp32, ServingClassifier int8, string path, IReadOnlyList<LabelledExample> examples, string head, CancellationToken cancellationToken)
    {
        var (fp32Best, labels, fp32Scores) = await BestLabelsAsync(fp32, examples, head, cancellationToken);
        var (int8Best, _, int8Scores) = await BestLabelsAsync(int8, examples, head, cancellationToken);
        // The largest score change per text, averaged: finer than agreement, which counts only texts that change label.
        var scoreChange = fp32Scores.Zip(int8Scores, (a, b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max()).Average();
        var truth = TrainHeadCommand.LabelIndices(examples, labels);
        double Accuracy(List<int> predicted) => (double)truth.Where((t, i) => t == predicted[i]).Count() / predicted.Count;
        var (before, after) = (Accuracy(fp32Best), Accuracy(int8Best));
        var agreement = (double)fp32Best.Where((p, i) => p == int8Best[i]).Count() / fp32Best.Count;
        return new CheckResult(path, head, examples.Count, Math.Round(before, 4), Math.Round(after, 4), Math.Round(before - after, 4), Math.Round(agreement, 4), Math.Round(scoreChange, 5));
    }

    private static async Task<(List<int> Best, string[] Labels, List<IReadOnlyList<float>> Scores)> BestLabelsAsync(
        ServingClassifier classifier, IReadOnlyList<LabelledExample> examples, string? head, CancellationToken cancellationToken)
    {
        var best = new List<int>(examples.Count);
        var scores = new List<IReadOnlyList<float>>(examples.Count);
        string[] labels = [];
        await foreach (var prediction in classifier.ClassifyAsync(examples.Select(e => e.Text), head, cancellationToken))
        {
            best.Add(prediction.Best);
            scores.Add(prediction.Scores);
            labels = [.. prediction.Labels];
        }

        return (best, labels, scores);
    }

    /// <summary>One check file's comparison.</summary>
    private sealed record CheckResult(string File, string Head, int Examples, double Fp32Accuracy, double Int8Accuracy, double AccuracyLoss, double Agreement, double MeanScoreChange);
}
