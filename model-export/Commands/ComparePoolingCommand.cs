using System.CommandLine;
using System.Globalization;
using ModelExport.Data;
using ModelExport.Evaluation;
using ModelExport.Packaging;
using ModelExport.Training;
using Serverless.Classifier.Model;

namespace ModelExport.Commands;

/// <summary>
/// <c>compare-pooling --train FILE --test FILE [--dev FILE] [--encoder DIR] [--pooling cls,mean,max,last]</c>: trains the
/// same head once per pooling on features from one encoder pass per text, and prints a table of test scores.
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
        var maxTokens = new Option<int>("--max-tokens") { Description = "Tokens per text, [CLS] and [SEP] included.", DefaultValueFactory = _ => 256 };
        var seed = new Option<int>("--seed") { Description = "Training seed.", DefaultValueFactory = _ => new HeadTrainingOptions().Seed };
        var command = new Command("compare-pooling", "Train one head per pooling on the same frozen features and compare test scores.")
        {
            train, test, dev, encoder, poolings, shapes, maxTokens, seed,
        };

        command.SetAction(async (parse, cancellationToken) =>
        {
            var trainData = LabelledData.Read(parse.GetValue(train)!);
            var testData = LabelledData.Read(parse.GetValue(test)!);
            var devData = parse.GetValue(dev) is { } devPath ? LabelledData.Read(devPath) : null;
            var labels = trainData.Select(e => e.Label).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            var selected = parse.GetValue(poolings)!;
            using var package = await EncoderPackage.OpenAsync(parse.GetValue(encoder)!, context.Logger, cancellationToken);

            Dictionary<Pooling, float[]> Encode(IReadOnlyList<LabelledExample> data, string name)
            {
                context.Progress($"encoding {name} ({data.Count} texts)");
                return Features.Compute(package.TextEncoder, [.. data.Select(e => e.Text)], selected, parse.GetValue(maxTokens), context.Progress, cancellationToken);
            }

            var trainFeatures = Encode(trainData, "train");
            var testFeatures = Encode(testData, "test");
            var devFeatures = devData is null ? null : Encode(devData, "dev");
            var hidden = package.TextEncoder.HiddenSize;
            var trainLabels = TrainHeadCommand.LabelIndices(trainData, labels);
            var testLabels = TrainHeadCommand.LabelIndices(testData, labels);
            var devLabels = devData is null ? null : TrainHeadCommand.LabelIndices(devData, labels);

            await context.Output.WriteLineAsync("| pooling | head | test accuracy | test macro-F1 |");
            await context.Output.WriteLineAsync("|---|---|---|---|");
            foreach (var pooling in selected)
            {
                foreach (var shape in parse.GetValue(shapes)!)
                {
                    context.Progress($"training {shape} head on {pooling} pooling");
                    var head = HeadTrainer.Train(
                        new FeatureSet(trainFeatures[pooling], trainLabels, hidden),
                        devFeatures is null ? null : new FeatureSet(devFeatures[pooling], devLabels!, hidden),
                        labels.Length,
                        new HeadTrainingOptions { Shape = shape, Seed = parse.GetValue(seed) });
                    var logits = head.Logits(testFeatures[pooling], testData.Count);
                    var predicted = Enumerable.Range(0, testData.Count)
                        .Select(row => System.Numerics.Tensors.TensorPrimitives.IndexOfMax(logits.AsSpan(row * labels.Length, labels.Length)))
                        .ToArray();
                    var report = ClassificationReport.Create(labels, testLabels, predicted);
                    await context.Output.WriteLineAsync(string.Create(
                        CultureInfo.InvariantCulture, $"| {pooling.ToString().ToLowerInvariant()} | {shape.ToString().ToLowerInvariant()} | {report.Accuracy:F4} | {report.MacroF1:F4} |"));
                }
            }

            return 0;
        });
        return command;
    }
}
