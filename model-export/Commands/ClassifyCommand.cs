using System.CommandLine;
using System.Text.Json;

namespace ModelExport.Commands;

/// <summary><c>classify [--model DIR] [--head NAME] [TEXT ...]</c>: one JSON line of <c>[{"label", "score"}, ...]</c> per text.</summary>
internal static class ClassifyCommand
{
    public static Command Create(CommandContext context)
    {
        var model = Options.ServedModel();
        var head = Options.Head();
        var texts = Options.Texts();
        var command = new Command("classify", "Classify texts (arguments, or lines of standard input) with a model package, as the service does.") { model, head, texts };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var classifier = new ServingClassifier(context, parse.GetValue(model)!);
            await foreach (var prediction in classifier.ClassifyAsync(context.Texts(parse.GetValue(texts)), parse.GetValue(head), cancellationToken))
            {
                await context.Output.WriteLineAsync(JsonSerializer.Serialize(prediction.Ranked().Select(p => new { label = p.Label, score = p.Score }), Json.Line));
            }

            return 0;
        });
        return command;
    }
}
