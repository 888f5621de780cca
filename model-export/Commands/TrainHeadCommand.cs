using System.CommandLine;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using ModelExport.Data;
using ModelExport.Packaging;
using ModelExport.Training;
using Serverless.Classifier.Model;

namespace ModelExport.Commands;

/// <summary>
/// <c>train-head --train FILE [--dev FILE] [--encoder DIR] [--pooling P] [--head mlp|linear] --out DIR</c>: trains a head
/// on frozen encoder features and writes (or adds it to) a model package.
/// </summary>
internal static class TrainHeadCommand
{
    public static Command Create(CommandContext context)
    {
        var train = Options.RequiredFile("--train", "Labelled JSON Lines ({\"id\", \"text\", \"label\"}) to train on.");
        var dev = Options.File("--dev", "Labelled JSON Lines for early stopping and the reported dev accuracy.");
        var encoder = Options.Encoder();
        var pooling = new Option<Pooling>("--pooling") { Description = "How the head pools the encoder output: cls, mean, max or last.", DefaultValueFactory = _ => Pooling.Cls };
        var shape = new Option<HeadShape>("--head") { Description = "mlp (pre_classifier -> ReLU -> dropout -> classifier) or linear.", DefaultValueFactory = _ => HeadShape.Mlp };
        var name = new Option<string>("--name") { Description = "The head's name in the package.", DefaultValueFactory = _ => "classifier" };
        var modelName = new Option<string>("--model-name") { Description = "The package's model name (default: kept, or the output folder's name)." };
        var modelVersion = new Option<string>("--model-version") { Description = "The package's version (default: kept, or 1)." };
        var epochs = new Option<int>("--epochs") { Description = "Most epochs to train.", DefaultValueFactory = _ => new HeadTrainingOptions().Epochs };
        var seed = new Option<int>("--seed") { Description = "Seed for initialization, order and dropout.", DefaultValueFactory = _ => new HeadTrainingOptions().Seed };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Tokens per text, [CLS] and [SEP] included.", DefaultValueFactory = _ => 512 };
        var output = Options.RequiredFile("--out", "Model package folder to write; the encoder and vocabulary are copied there when missing.");
        var command = new Command("train-head", "Train a classification head on a frozen encoder and write it into a model package.")
        {
            train, dev, encoder, pooling, shape, name, modelName, modelVersion, epochs, seed, maxTokens, output,
        };

        command.SetAction(async (parse, cancellationToken) =>
        {
            var trainData = LabelledData.Read(parse.GetValue(train)!);
            var devData = parse.GetValue(dev) is { } devPath ? LabelledData.Read(devPath) : null;
            var labels = trainData.Select(e => e.Label).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            var selectedPooling = parse.GetValue(pooling);
            using var package = await EncoderPackage.OpenAsync(parse.GetValue(encoder)!, context.Logger, cancellationToken);

            var trainSet = Featurize(package, trainData, labels, selectedPooling, parse.GetValue(maxTokens), context, cancellationToken);
            var devSet = devData is null ? null : Featurize(package, devData, labels, selectedPooling, parse.GetValue(maxTokens), context, cancellationToken);
            var options = new HeadTrainingOptions { Shape = parse.GetValue(shape), Epochs = parse.GetValue(epochs), Seed = parse.GetValue(seed) };
            var head = HeadTrainer.Train(trainSet, devSet, labels.Length, options, context.Progress);

            using var onnx = new MemoryStream();
            HeadOnnx.Write(head, onnx);
            CheckOnnxMatches(head, onnx.ToArray(), devSet ?? trainSet);

            var headName = parse.GetValue(name)!;
            var headManifest = new HeadManifest
            {
                Name = headName,
                File = $"heads/{headName}.onnx",
                Sha256 = string.Empty,
                Labels = labels,
                Pooling = selectedPooling,
                Activation = Activation.Softmax,
                Input = HeadOnnx.InputName,
                Output = HeadOnnx.OutputName,
            };
            var manifest = await ModelPackageWriter.WriteHeadAsync(
                parse.GetValue(output)!, package, headManifest, onnx.ToArray(), parse.GetValue(modelName), parse.GetValue(modelVersion), cancellationToken);

            var summary = new
            {
                model = manifest.Name,
                version = manifest.Version,
                head = headName,
                shape = options.Shape,
                pooling = selectedPooling,
                labels,
                trainExamples = trainSet.Rows,
                trainAccuracy = Math.Round(HeadTrainer.Evaluate(head, trainSet).Accuracy, 4),
                devExamples = devSet?.Rows,
                devAccuracy = devSet is null ? (double?)null : Math.Round(HeadTrainer.Evaluate(head, devSet).Accuracy, 4),
            };
            await context.Output.WriteLineAsync(JsonSerializer.Serialize(summary, Json.Report));
            return 0;
        });
        return command;
    }

    internal static FeatureSet Featurize(
        EncoderPackage package, IReadOnlyList<LabelledExample> data, string[] labels, Pooling pooling, int maxTokens, CommandContext context, CancellationToken cancellationToken)
    {
        var features = Features.Compute(package.Features, [.. data.Select(e => e.Text)], [pooling], maxTokens, context.Progress, cancellationToken)[pooling];
        return new FeatureSet(features, LabelIndices(data, labels), package.Features.HiddenSize);
    }

    internal static int[] LabelIndices(IReadOnlyList<LabelledExample> data, string[] labels) =>
        [.. data.Select(e => Array.IndexOf(labels, e.Label) is >= 0 and var index
            ? index
            : throw new ModelExportException($"Example '{e.Id}' has label '{e.Label}', which the training data does not have ([{string.Join(", ", labels)}])."))];

    // The exported graph must compute what was trained: compare ONNX Runtime's logits with the trainer's.
    private static void CheckOnnxMatches(TrainedHead head, byte[] onnx, FeatureSet sample)
    {
        var rows = Math.Min(sample.Rows, 64);
        var pooled = sample.Features.AsSpan(0, rows * head.HiddenSize).ToArray();
        using var session = new InferenceSession(onnx);
        using var input = OrtValue.CreateTensorValueFromMemory(pooled, [rows, head.HiddenSize]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [HeadOnnx.InputName], [input], [HeadOnnx.OutputName]);
        var actual = outputs[0].GetTensorDataAsSpan<float>();
        var expected = head.Logits(pooled, rows);
        for (var i = 0; i < expected.Length; i++)
        {
            if (MathF.Abs(actual[i] - expected[i]) > 1e-3f)
            {
                throw new ModelExportException($"The exported head gives logit {actual[i]} where training computed {expected[i]} (row {i / head.LabelCount}); the ONNX export is wrong.");
            }
        }
    }
}
