using System.Collections.Concurrent;
using System.Text;
using Serverless.Classifier.LocalHost;
using Xunit;

namespace Serverless.Classifier.Testing;

/// <summary>
/// Storage for integration tests: the connection string in SERVERLESS_TEST_STORAGE when set, else an Azurite of our own
/// on free loopback ports with its data in a temporary folder, stopped after the tests. Each test project declares a
/// collection over it (xunit collections are per assembly). If Azurite dies during the tests (a full disk, say), every
/// later storage call fails with a bare connection error; dispose then fails with its exit code and last log lines.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private Azurite? _azurite;
    private string? _data;
    private readonly ConcurrentQueue<string> _lastLines = new();

    /// <summary>The storage connection string.</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable("SERVERLESS_TEST_STORAGE") is { Length: > 0 } configured)
        {
            ConnectionString = configured;
            return;
        }

        _data = Path.Combine(Path.GetTempPath(), "azurite-test-" + Guid.NewGuid().ToString("N"));
        _azurite = await Azurite.StartAsync(_data, 0, 0, 0, new LastLines(_lastLines), CancellationToken.None);
        ConnectionString = _azurite.ConnectionString;
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        var exitCode = _azurite?.ExitCode;
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }

        if (_data is not null && Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }

        if (exitCode is { } code)
        {
            var free = new DriveInfo(Path.GetTempPath()).AvailableFreeSpace / (1 << 20);
            throw new InvalidOperationException(
                $"Azurite exited (code {code}) before the tests ended, so the storage calls after that failed; {free} MiB free in {Path.GetTempPath()}. Its last lines:\n{string.Join('\n', _lastLines)}");
        }
    }

    /// <summary>Keeps the last 20 lines Azurite wrote to stderr (it is started with --silent: errors only).</summary>
    private sealed class LastLines(ConcurrentQueue<string> lines) : TextWriter
    {
        public override Encoding Encoding => Encoding.UTF8;

        public override void WriteLine(string? value)
        {
            lines.Enqueue(value ?? string.Empty);
            while (lines.Count > 20)
            {
                lines.TryDequeue(out _);
            }
        }
    }
}
