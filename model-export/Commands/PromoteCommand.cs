using System.CommandLine;
using System.Text.Json;
using Serverless.Classifier.Storage;

namespace ModelExport.Commands;

/// <summary><c>promote --name NAME --version V [--container models] [--connection STR]</c>: roll forward or back.</summary>
internal static class PromoteCommand
{
    public static Command Create(CommandContext context)
    {
        var name = new Option<string>("--name") { Description = "Model name.", Required = true };
        var version = new Option<string>("--version") { Description = "A published version to serve.", Required = true };
        var container = BlobConnection.Container();
        var connection = BlobConnection.Option();
        var command = new Command("promote", "Point latest.json at a published version (roll forward or back) after checking it is complete.")
        {
            name, version, container, connection,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (modelName, modelVersion) = (parse.GetValue(name)!, parse.GetValue(version)!);
            await ModelPublisher.PromoteAsync(BlobConnection.Open(parse.GetValue(connection)!, parse.GetValue(container)!), modelName, modelVersion, cancellationToken);
            await context.Output.WriteLineAsync(JsonSerializer.Serialize(new { model = modelName, latest = modelVersion }, Json.Report));
            return 0;
        });
        return command;
    }
}
