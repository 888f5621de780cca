using System.CommandLine;
using System.Text.Json;
using ModelExport.Packaging;

namespace ModelExport.Commands;

/// <summary><c>tokenize [--model DIR] [TEXT ...]</c>: one JSON line <c>{"ids": [...]}</c> per text (arguments or stdin lines).</summary>
internal static class TokenizeCommand
{
    public static Command Create(CommandContext context)
    {
        var model = Options.Model();
        var texts = Options.Texts();
        var command = new Command("tokenize", "Token ids of texts ([CLS] ... [SEP]), as the service computes them.") { model, texts };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var package = await EncoderPackage.OpenAsync(parse.GetValue(model)!, context.Logger, cancellationToken);
            foreach (var text in context.Texts(parse.GetValue(texts)))
            {
                var ids = package.Features.Tokenizer.Encode(text).Ids;
                await context.Output.WriteLineAsync(JsonSerializer.Serialize(new { ids }, Json.Line));
            }

            return 0;
        });
        return command;
    }
}
