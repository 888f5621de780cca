using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Serverless.Classifier.LocalHost;

/// <summary>
/// An Azurite process started from the repository's pinned npm package (package.json), on loopback ports, with its
/// data in a folder of our choosing; stopped (with its process tree) on dispose.
/// </summary>
public sealed class Azurite : IAsyncDisposable
{
    /// <summary>Azurite's published development account key (not a secret: it is the same for every Azurite).</summary>
    public const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly int[] DefaultPorts = [10000, 10001, 10002];

    private readonly Process _process;

    private Azurite(Process process, int blobPort, int queuePort, int tablePort)
    {
        _process = process;
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
    }

    public int BlobPort { get; }

    public int QueuePort { get; }

    public int TablePort { get; }

    /// <summary>The exit code when the process has ended (it should not before dispose), else null.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevelopmentAccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{QueuePort}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/devstoreaccount1;";

    /// <summary>True when something already listens on the default Azurite ports.</summary>
    public static bool DefaultPortsInUse() => DefaultPorts.Any(IsListening);

    /// <summary>Starts Azurite on the given ports (0 picks free ones), installing it with npm ci first if needed.</summary>
    public static async Task<Azurite> StartAsync(string dataDirectory, int blobPort, int queuePort, int tablePort, TextWriter log, CancellationToken cancellationToken)
    {
        var root = RepositoryRoot.Find();
        var script = Path.Combine(root, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(script))
        {
            await log.WriteLineAsync("Installing Azurite (npm ci, versions pinned in package-lock.json)...");
            await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], root, cancellationToken);
        }

        (blobPort, queuePort, tablePort) = (Free(blobPort), Free(queuePort), Free(tablePort));
        Directory.CreateDirectory(dataDirectory);
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = root,
        };
        foreach (var argument in new[]
        {
            script, "--silent", "--skipApiVersionCheck", "--loose", "--location", dataDirectory,
            "--blobHost", "127.0.0.1", "--blobPort", $"{blobPort}", "--queueHost", "127.0.0.1", "--queuePort", $"{queuePort}",
            "--tableHost", "127.0.0.1", "--tablePort", $"{tablePort}",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node; install Node.js 20 or later.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                log.WriteLine($"azurite: {e.Data}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var azurite = new Azurite(process, blobPort, queuePort, tablePort);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(IsListening(blobPort) && IsListening(queuePort)))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                await azurite.DisposeAsync();
                throw new InvalidOperationException($"Azurite did not start listening on 127.0.0.1:{blobPort}/{queuePort} (exit code {(process.HasExited ? process.ExitCode : -1)}).");
            }

            await Task.Delay(100, cancellationToken);
        }

        return azurite;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static bool IsListening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int Free(int port)
    {
        if (port != 0)
        {
            return port;
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string file, string[] arguments, string directory, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{file} {string.Join(' ', arguments)}' failed with exit code {process.ExitCode} in {directory}.");
        }
    }
}
