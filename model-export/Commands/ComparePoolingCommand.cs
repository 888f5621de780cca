using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ModelExport.Data;
using ModelExport.Evaluation;
using ModelExport.Packaging;
using ModelExport.Training;
using Serverless.Classifier.Model;

namespace ModelExport.Commands;

/// <summary>
/// <c>compare-pooling --train FILE --test FILE [--dev FILE] [--encoder DIR] [--pooling cls,mean,max,last] [--flatten N]</c>:
/// trains the same head once per pooling on features from one encoder pass per text, and prints a table of test scores.
/// </summary>
internal static class ComparePoolingCommand
{
    public static Command Create(CommandContext context)
    {
        var train = Options.RequiredFile("--train", "Labelled JSON Lines to train on.");
        var test = Options.RequiredFile("--test", "Labelled JSON Lines to score.");
        var dev = Options.File("--dev", "Labelled JSON Lines for early stopping.");
        var encoder = Options.Encoder();
        var poolings = Options.Poolings("--pooling", [Pooling.Cls, Pooling.Mean, Pooling.Max, Pooling.Last], "Poolings to compare, comma-separated.");
        var shapes = new Option<HeadShape[]>("--head")
        {
            Description = "Head shapes to train: mlp, linear, or both (repeat the option).",
            DefaultValueFactory = _ => [HeadShape.Linear, HeadShape.Mlp],
            AllowMultipleArgumentsPerToken = true,
        };
        var flatten = new Option<int>("--flatten") { Description = "Also compare the first N token states concatenated (a study-only variant, linear head); 0 for none.", DefaultValueFactory = _ => 0 };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Tokens per text, [CLS] and [SEP] included.", DefaultValueFactory = _ => 256 };
        var seed = new Option<int>("--seed") { Description = "Training seed.", DefaultValueFactory = _ => new HeadTrainingOptions().Seed };
        var cache = Options.File("--cache", "Folder to keep encoded features in, so a rerun skips the encoder.");
        var json = Options.File("--json", "Also write the results as JSON to this file.");
        var command = new Command("compare-pooling", "Train one head per pooling on the same frozen features and compare test scores.")
        {
            train, test, dev, encoder, poolings, shapes, flatten, maxTokens, seed, cache, json,
        };

        command.SetAction(async (parse, cancellationToken) =>
        {
            var trainData = LabelledData.Read(parse.GetValue(train)!);
            var testData = LabelledData.Read(parse.GetValue(test)!);
            var devData = parse.GetValue(dev) is { } devPath ? LabelledData.Read(devPath) : null;
            var labels = trainData.Select(e => e.Label).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            var selected = parse.GetValue(poolings)!;
            var flattenTokens = parse.GetValue(flatten);
            using var package = await EncoderPackage.OpenAsync(parse.GetValue(encoder)!, context.Logger, cancellationToken);
            var encoderName = package.Manifest?.Name ?? Path.GetFileName(package.Directory);

            Dictionary<string, FeatureMatrix> Encode(IReadOnlyList<LabelledExample> data, string name, string path)
            {
                var key = CacheKey(package, path, selected, flattenTokens, parse.GetValue(maxTokens));
                var cached = parse.GetValue(cache) is { } folder ? Path.Combine(folder, key + ".features") : null;
                if (cached is not null && File.Exists(cached))
                {
                    context.Progress($"{name}: features from {cached}");
                    return ReadCache(cached);
                }

                context.Progress($"encoding {name} ({data.Count} texts) with {encoderName}");
                var features = Features.ComputeNamed(package.Features, [.. data.Select(e => e.Text)], selected, flattenTokens, parse.GetValue(maxTokens), context.Progress, cancellationToken);
                if (cached is not null)
                {
                    WriteCache(cached, features);
                }

                return features;
            }

            var trainFeatures = Encode(trainData, "train", parse.GetValue(train)!);
            var testFeatures = Encode(testData, "test", parse.GetValue(test)!);
            var devFeatures = devData is null ? null : Encode(devData, "dev", parse.GetValue(dev)!);
            var trainLabels = TrainHeadCommand.LabelIndices(trainData, labels);
            var testLabels = TrainHeadCommand.LabelIndices(testData, labels);
            var devLabels = devData is null ? null : TrainHeadCommand.LabelIndices(devData, labels);

            var runs = selected.Select(p => p.ToString().ToLowerInvariant())
                .SelectMany(p => parse.GetValue(shapes)!.Select(s => (Features: p, Shape: s)))
                .Concat(flattenTokens > 0 ? [(Features.FlattenName(flattenTokens), HeadShape.Linear)] : []);
            var results = new List<object>();
            await context.Output.WriteLineAsync("| pooling | head | test accuracy | test macro-F1 |");
            await context.Output.WriteLineAsync("|---|---|---|---|");
            foreach (var (name, shape) in runs)
            {
                context.Progress($"training {shape} head on {name}");
                var stopwatch = Stopwatch.StartNew();
                var width = trainFeatures[name].Width;
                var head = HeadTrainer.Train(
                    new FeatureSet(trainFeatures[name].Values, trainLabels, width),
                    devFeatures is null ? null : new FeatureSet(devFeatures[name].Values, devLabels!, width),
                    labels.Length,
                    new HeadTrainingOptions { Shape = shape, Seed = parse.GetValue(seed) });
                var logits = head.Logits(testFeatures[name].Values, testData.Count);
                var predicted = Enumerable.Range(0, testData.Count)
                    .Select(row => System.Numerics.Tensors.TensorPrimitives.IndexOfMax(logits.AsSpan(row * labels.Length, labels.Length)))
                    .ToArray();
                var report = ClassificationReport.Create(labels, testLabels, predicted);
                var shapeName = shape.ToString().ToLowerInvariant();
                await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"| {name} | {shapeName} | {report.Accuracy:F4} | {report.MacroF1:F4} |"));
                results.Add(new { encoder = encoderName, pooling = name, head = shapeName, testAccuracy = report.Accuracy, testMacroF1 = report.MacroF1, trainSeconds = Math.Round(stopwatch.Elapsed.TotalSeconds, 1) });
            }

            if (parse.GetValue(json) is { } jsonPath)
            {
                var document = new { train = parse.GetValue(train), test = parse.GetValue(test), dev = parse.GetValue(dev), encoder = encoderName, maxTokens = parse.GetValue(maxTokens), results };
                await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(document, Json.Report) + "\n", cancellationToken);
            }

            return 0;
        });
        return command;
    }

    private static string CacheKey(EncoderPackage package, string dataPath, Pooling[] poolings, int flattenTokens, int maxTokens)
    {
        var data = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(dataPath)));
        var text = $"{package.Encoder.Sha256}|{package.Tokenizer.Sha256}|{data}|{string.Join(",", poolings)}|{flattenTokens}|{maxTokens}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..24];
    }

    private static void WriteCache(string path, Dictionary<string, FeatureMatrix> features)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        using (var writer = new BinaryWriter(File.Create(temporary)))
        {
            writer.Write(features.Count);
            foreach (var (name, matrix) in features)
            {
                writer.Write(name);
                matrix.Write(writer);
            }
        }

        File.Move(temporary, path, overwrite: true);
    }

    private static Dictionary<string, FeatureMatrix> ReadCache(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        var count = reader.ReadInt32();
        var features = new Dictionary<string, FeatureMatrix>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            features[reader.ReadString()] = FeatureMatrix.Read(reader);
        }

        return features;
    }
}
