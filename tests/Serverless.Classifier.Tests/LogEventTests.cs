using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Serverless.Classifier.Tests;

/// <summary>Operator-facing log events keep their EventId and level (alerts and queries key on them).</summary>
public sealed class LogEventTests
{
    [Fact]
    public async Task LoadAsync_AutoOnCpuBuild_FallsBackToCpuAndLogsWhy()
    {
        var sink = new LogCapture();
        await using var services = Build(sink, options => options.ExecutionProvider = "auto");
        var classifier = services.GetRequiredService<ITextClassifier>();

        await classifier.LoadAsync(TestContext.Token);

        Assert.Equal("cpu", classifier.ExecutionProvider);
        Assert.Null(classifier.ExecutionDevice);
        var fallback = Assert.Single(sink.Entries, e => e.EventId == 1004);
        Assert.Equal(LogLevel.Warning, fallback.Level);
        Assert.Contains("was configured but CUDA is unavailable, running on CPU: this build has ONNX Runtime's CPU package", fallback.Message, StringComparison.Ordinal);
        var loaded = Assert.Single(sink.Entries, e => e.EventId == 1001);
        Assert.Equal(LogLevel.Information, loaded.Level);
        Assert.Matches(@"^Loaded model arctic-xs-sentiment 1\.0\.0 \(1 heads, hidden size 384, fp32\) on cpu in \d+ ms: hashes \d+ ms, sessions \d+ ms, first run \d+ ms$", loaded.Message);
    }

    [Fact]
    public async Task LoadAsync_CudaConfiguredOnCpuBuild_FailsAsModelUnavailableSayingWhyAndHowToFix()
    {
        var sink = new LogCapture();
        await using var services = Build(sink, options => options.ExecutionProvider = "cuda");
        var classifier = services.GetRequiredService<ITextClassifier>();

        var exception = await Assert.ThrowsAsync<ClassifierException>(() => classifier.LoadAsync(TestContext.Token));

        Assert.Equal(ClassifierErrorKind.ModelUnavailable, exception.Kind);
        Assert.StartsWith("Classifier:ExecutionProvider is 'cuda' but this build has ONNX Runtime's CPU package, which has no CUDA provider; build the GPU flavor", exception.Message, StringComparison.Ordinal);
        Assert.EndsWith("or set Classifier__ExecutionProvider to 'auto' (CUDA when it loads, else CPU) or 'cpu'.", exception.Message, StringComparison.Ordinal);
        Assert.Equal(exception.Message, classifier.LoadError);
        Assert.Null(classifier.Manifest);
        var error = Assert.Single(sink.Entries, e => e.EventId == 1010);
        Assert.Equal(LogLevel.Error, error.Level);
        Assert.DoesNotContain(sink.Entries, e => e.EventId is 1001 or 1004);
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
