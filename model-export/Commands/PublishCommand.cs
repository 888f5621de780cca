using System.CommandLine;
using System.Text.Json;
using Serverless.Classifier.Storage;

namespace ModelExport.Commands;

/// <summary>
/// <c>publish --model DIR --name NAME [--version V] [--container models] [--connection STR] [--dry-run] [--no-promote]</c>:
/// uploads a package to <c>&lt;container&gt;/&lt;name&gt;/&lt;version&gt;/</c>, verifies it, then writes latest.json last.
/// </summary>
internal static class PublishCommand
{
    public static Command Create(CommandContext context)
    {
        var model = Options.ServedModel();
        var name = new Option<string>("--name") { Description = "Model name: the blob prefix <container>/<name>/.", Required = true };
        var version = new Option<string>("--version") { Description = "Version to publish as (default: the manifest's)." };
        var container = BlobConnection.Container();
        var connection = BlobConnection.Option();
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the blobs that would be written, and write nothing." };
        var noPromote = new Option<bool>("--no-promote") { Description = "Upload and verify, but leave latest.json as it is (promote later)." };
        var command = new Command("publish", "Upload a model package to blob storage, verify it, then point latest.json at it.")
        {
            model, name, version, container, connection, dryRun, noPromote,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var directory = parse.GetValue(model)!;
            var (modelName, modelVersion, containerName) = (parse.GetValue(name)!, parse.GetValue(version), parse.GetValue(container)!);
            if (parse.GetValue(dryRun))
            {
                var blobs = (await ModelPublisher.PlanAsync(directory, modelName, modelVersion, cancellationToken)).Select(b => $"{containerName}/{b}").ToList();
                if (!parse.GetValue(noPromote))
                {
                    blobs.Add($"{containerName}/{modelName}/{ModelRelease.FileName}");
                }

                await context.Output.WriteLineAsync(JsonSerializer.Serialize(new { dryRun = true, writes = blobs }, Json.Report));
                return 0;
            }

            var manifest = await ModelPublisher.PublishAsync(
                BlobConnection.Open(parse.GetValue(connection)!, containerName), directory, modelName, modelVersion, !parse.GetValue(noPromote), cancellationToken);
            await context.Output.WriteLineAsync(JsonSerializer.Serialize(
                new { published = $"{containerName}/{manifest.Name}/{manifest.Version}/", files = manifest.Heads.Count + 3, latest = parse.GetValue(noPromote) ? null : manifest.Version },
                Json.Report));
            return 0;
        });
        return command;
    }
}
