namespace ModelExport.Tests;

/// <summary>Runs model-export in process with captured standard streams.</summary>
internal static class CliRunner
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string[] args, string input = "")
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var exitCode = await ModelExportCli.RunAsync(args, new StringReader(input), output, error, cancellation.Token);
        return (exitCode, output.ToString(), error.ToString());
    }

    public static string Data(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", "sentiment", name);
}
