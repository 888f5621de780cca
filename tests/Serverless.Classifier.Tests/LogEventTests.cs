using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Serverless.Classifier.Tests;

/// <summary>Operator-facing log events keep their EventId and level (alerts and queries key on them).</summary>
public sealed class LogEventTests
{
    [Fact]
    public async Task LoadAsync_CudaConfiguredOnCpuBuild_FallsBackToCpuAndLogsWhy()
    {
        var sink = new LogCapture();
        await using var services = Build(sink, options => options.ExecutionProvider = "cuda");
        var classifier = services.GetRequiredService<ITextClassifier>();

        await classifier.LoadAsync(TestContext.Token);

        Assert.Equal("cpu", classifier.ExecutionProvider);
        var fallback = Assert.Single(sink.Entries, e => e.EventId == 1004);
        Assert.Equal(LogLevel.Warning, fallback.Level);
        Assert.Contains("was configured but CUDA is unavailable, running on CPU", fallback.Message, StringComparison.Ordinal);
        var loaded = Assert.Single(sink.Entries, e => e.EventId == 1001);
        Assert.Equal(LogLevel.Information, loaded.Level);
        Assert.Contains("Loaded model arctic-xs-sentiment 1.0.0 (1 heads, hidden size 384) on cpu", loaded.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_BrokenPackage_LogsModelLoadFailedAsError()
    {
        var sink = new LogCapture();
        using var package = TemporaryPackage.CopyOfDefaultModel();
        File.Delete(Path.Combine(package.Directory, "vocab.txt"));
        await using var services = Build(sink, options => options.ModelPath = package.Directory);

        await Assert.ThrowsAsync<ClassifierException>(() => services.GetRequiredService<ITextClassifier>().LoadAsync(TestContext.Token));

        var failed = Assert.Single(sink.Entries, e => e.EventId == 1002);
        Assert.Equal(LogLevel.Error, failed.Level);
        Assert.Contains("(ModelInvalid)", failed.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Build(LogCapture sink, Action<ClassifierOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging(builder => builder.AddProvider(sink).SetMinimumLevel(LogLevel.Trace));
        services.AddTextClassifier().Configure(options =>
        {
            options.ModelPath = TestPaths.DefaultModel;
            configure(options);
        });
        return services.BuildServiceProvider();
    }
}
