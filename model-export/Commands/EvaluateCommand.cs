using System.CommandLine;
using System.Text.Json;
using ModelExport.Data;
using ModelExport.Evaluation;
using Serverless.Classifier;

namespace ModelExport.Commands;

/// <summary><c>evaluate --model DIR --data FILE [--head NAME] [--chunking [--chunk-aggregate mean|max] [--chunk-stride N]]</c>:
/// accuracy, macro-F1, per-label scores and confusion matrix as JSON.</summary>
internal static class EvaluateCommand
{
    public static Command Create(CommandContext context)
    {
        var model = Options.ServedModel();
        var data = Options.RequiredFile("--data", "Labelled JSON Lines to score.");
        var head = Options.Head();
        var chunking = new Option<bool>("--chunking") { Description = "Classify texts longer than the model's maximum in overlapping windows, as the service's chunking parameter does." };
        var aggregate = new Option<ChunkAggregate>("--chunk-aggregate") { Description = "With --chunking: mean (default) or max of the windows' scores." };
        var stride = new Option<int?>("--chunk-stride") { Description = "With --chunking: word pieces shared by consecutive windows (default: a quarter of a window)." };
        var size = new Option<int?>("--chunk-size") { Description = "With --chunking: tokens per window, [CLS] and [SEP] included (default: the model's maximum length)." };
        var positive = new Option<string>("--positive-label")
        {
            Description = "Score a yes/no question on a two-label head: the label is predicted when its score reaches 0.5, else the other one " +
                "(with --chunk-aggregate max: does any window say it). Default: the best-scoring label.",
        };
        var command = new Command("evaluate", "Score a model package's head on labelled data through the serving code path.") { model, data, head, chunking, aggregate, stride, size, positive };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!parse.GetValue(chunking) && (parse.GetResult(aggregate) is not null || parse.GetResult(stride) is not null || parse.GetResult(size) is not null))
            {
                throw new ModelExportException("--chunk-aggregate, --chunk-stride and --chunk-size apply only with --chunking.");
            }

            var chunks = parse.GetValue(chunking) ? new Chunking { Aggregate = parse.GetValue(aggregate), Stride = parse.GetValue(stride), Size = parse.GetValue(size) } : null;
            var examples = LabelledData.Read(parse.GetValue(data)!);
            using var classifier = new ServingClassifier(context, parse.GetValue(model)!);
            await classifier.Classifier.LoadAsync(cancellationToken);
            var manifest = classifier.Classifier.Manifest!;
            var headName = parse.GetValue(head) ?? manifest.DefaultHead;
            var labels = manifest.Heads.FirstOrDefault(h => h.Name == headName)?.Labels.ToArray()
                ?? throw new ModelExportException($"Head '{headName}' does not exist; the package has [{string.Join(", ", manifest.Heads.Select(h => h.Name))}].");
            var truth = TrainHeadCommand.LabelIndices(examples, labels);
            var positiveIndex = parse.GetValue(positive) is { } positiveLabel
                ? labels.Length == 2 && Array.IndexOf(labels, positiveLabel) is var index and >= 0
                    ? index
                    : throw new ModelExportException($"--positive-label '{positiveLabel}' needs a two-label head that has it; head '{headName}' has [{string.Join(", ", labels)}].")
                : -1;
            var predicted = new List<int>(examples.Count);
            await foreach (var prediction in classifier.ClassifyAsync(examples.Select(e => e.Text), headName, cancellationToken, chunks))
            {
                predicted.Add(positiveIndex < 0 ? prediction.Best : prediction.Scores[positiveIndex] >= 0.5f ? positiveIndex : 1 - positiveIndex);
            }

            var report = ClassificationReport.Create(labels, truth, predicted);
            await context.Output.WriteLineAsync(JsonSerializer.Serialize(
                new { model = manifest.Name, version = manifest.Version, head = headName, positiveLabel = parse.GetValue(positive), chunking = chunks is null ? null : new { aggregate = chunks.Aggregate.ToString().ToLowerInvariant(), size = chunks.Size, stride = chunks.Stride }, report },
                Json.Report));
            return 0;
        });
        return command;
    }
}
