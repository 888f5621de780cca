using Microsoft.Extensions.Options;
using Serverless.Classifier.Hosting;
using Serverless.Classifier.LocalHost;

try
{
    await using var app = await LocalHostApp.BuildAsync(args, overrides: null, CancellationToken.None);
    await app.RunAsync();
    return 0;
}
catch (Exception exception) when (exception is StorageConfigurationException or OptionsValidationException)
{
    // A setting to fix: one line that names it, not a stack trace.
    await Console.Error.WriteLineAsync($"error: {exception.Message}");
    return 1;
}
