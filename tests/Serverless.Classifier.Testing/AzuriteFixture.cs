using Serverless.Classifier.LocalHost;
using Xunit;

namespace Serverless.Classifier.Testing;

/// <summary>
/// Storage for integration tests: the connection string in SERVERLESS_TEST_STORAGE when set, else an Azurite of our own
/// on free loopback ports with its data in a temporary folder, stopped after the tests. Each test project declares a
/// collection over it (xunit collections are per assembly).
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private Azurite? _azurite;
    private string? _data;

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
        _azurite = await Azurite.StartAsync(_data, 0, 0, 0, TextWriter.Null, CancellationToken.None);
        ConnectionString = _azurite.ConnectionString;
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }

        if (_data is not null && Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }
}
