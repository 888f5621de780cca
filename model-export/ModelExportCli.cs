using System.CommandLine;
using Microsoft.Extensions.Logging;
using ModelExport.Commands;
using Serverless.Classifier;

namespace ModelExport;

/// <summary>The model-export command line: builds the verbs over the given standard streams, runs one, maps errors to exit codes.</summary>
internal static class ModelExportCli
{
    public static async Task<int> RunAsync(string[] args, TextReader input, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        // Logs go to standard error so standard output stays pure JSON Lines.
        using var loggerFactory = LoggerFactory.Create(builder => builder
            .AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace)
            .AddFilter((category, level) => level >= LogLevel.Warning));
        var context = new CommandContext(input, output, error, loggerFactory);
        var root = new RootCommand("model-export: builds, trains, evaluates and inspects model packages for the serverless classifier.")
        {
            TrainHeadCommand.Create(context),
            EvaluateCommand.Create(context),
            ComparePoolingCommand.Create(context),
            ClassifyCommand.Create(context),
            TokenizeCommand.Create(context),
            BaselineCommand.Create(context),
            ImportHfCommand.Create(context),
            PublishCommand.Create(context),
            PromoteCommand.Create(context),
            JobsCommand.Create(context),
            QuantizeCommand.Create(context),
            CalibrateCommand.Create(context),
        };

        try
        {
            var configuration = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
            return await root.Parse(args).InvokeAsync(configuration, cancellationToken);
        }
        catch (ModelExportException exception)
        {
            await error.WriteLineAsync($"error: {exception.Message}");
            return 1;
        }
        catch (ClassifierException exception)
        {
            await error.WriteLineAsync($"error ({exception.Kind}): {exception.Message}");
            return 1;
        }
    }
}
