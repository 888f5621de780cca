using System.CommandLine;
using System.Text.Json;
using ModelExport.Data;
using ModelExport.Evaluation;

namespace ModelExport.Commands;

/// <summary><c>evaluate --model DIR --data FILE [--head NAME]</c>: accuracy, macro-F1, per-label scores and confusion matrix as JSON.</summary>
internal static class EvaluateCommand
{
    public static Command Create(CommandContext context)
    {
        var model = Options.ServedModel();
        var data = Options.RequiredFile("--data", "Labelled JSON Lines to score.");
        var head = Options.Head();
        var command = new Command("evaluate", "Score a model package's head on labelled data through the serving code path.") { model, data, head };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var examples = LabelledData.Read(parse.GetValue(data)!);
            using var classifier = new ServingClassifier(context, parse.GetValue(model)!);
            await classifier.Classifier.LoadAsync(cancellationToken);
            var manifest = classifier.Classifier.Manifest!;
            var headName = parse.GetValue(head) ?? manifest.DefaultHead;
            var labels = manifest.Heads.FirstOrDefault(h => h.Name == headName)?.Labels.ToArray()
                ?? throw new ModelExportException($"Head '{headName}' does not exist; the package has [{string.Join(", ", manifest.Heads.Select(h => h.Name))}].");
            var truth = TrainHeadCommand.LabelIndices(examples, labels);
            var predicted = new List<int>(examples.Count);
            await foreach (var prediction in classifier.ClassifyAsync(examples.Select(e => e.Text), headName, cancellationToken))
            {
                predicted.Add(prediction.Best);
            }

            var report = ClassificationReport.Create(labels, truth, predicted);
            await context.Output.WriteLineAsync(JsonSerializer.Serialize(new { model = manifest.Name, version = manifest.Version, head = headName, report }, Json.Report));
            return 0;
        });
        return command;
    }
}
