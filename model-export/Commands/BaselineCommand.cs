using System.CommandLine;
using System.Text.Json;
using ModelExport.Data;
using ModelExport.Evaluation;

namespace ModelExport.Commands;

/// <summary><c>baseline --train FILE --test FILE</c>: multinomial naive Bayes on word counts, the bar a head must clear.</summary>
internal static class BaselineCommand
{
    public static Command Create(CommandContext context)
    {
        var train = Options.RequiredFile("--train", "Labelled JSON Lines to train on.");
        var test = Options.RequiredFile("--test", "Labelled JSON Lines to score.");
        var command = new Command("baseline", "Bag-of-words naive Bayes accuracy on the same split, for comparison.") { train, test };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var trainData = LabelledData.Read(parse.GetValue(train)!);
            var testData = LabelledData.Read(parse.GetValue(test)!);
            var labels = trainData.Select(e => e.Label).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            var model = NaiveBayesBaseline.Train([.. trainData.Select(e => e.Text)], TrainHeadCommand.LabelIndices(trainData, labels), labels);
            var report = ClassificationReport.Create(labels, TrainHeadCommand.LabelIndices(testData, labels), [.. testData.Select(e => model.Predict(e.Text))]);
            await context.Output.WriteLineAsync(JsonSerializer.Serialize(new { model = "multinomial naive Bayes, lower-cased word counts, add-one smoothing", report }, Json.Report));
            return 0;
        });
        return command;
    }
}
