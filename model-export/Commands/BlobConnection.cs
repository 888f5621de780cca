using System.CommandLine;
using Azure.Identity;
using Azure.Storage.Blobs;

namespace ModelExport.Commands;

/// <summary>
/// <c>--connection</c>: a storage connection string (Azurite: <c>UseDevelopmentStorage=true</c>), or a blob service URL
/// (<c>https://&lt;account&gt;.blob.core.windows.net</c>) reached with DefaultAzureCredential (az login, managed identity...).
/// Default: the AzureWebJobsStorage environment variable, else the local emulator.
/// </summary>
internal static class BlobConnection
{
    public static Option<string> Option() => new("--connection")
    {
        Description = "Connection string, or a blob service URL used with DefaultAzureCredential (default: $AzureWebJobsStorage, else UseDevelopmentStorage=true).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AzureWebJobsStorage") is { Length: > 0 } fromEnvironment ? fromEnvironment : "UseDevelopmentStorage=true",
    };

    public static Option<string> Container() => new("--container")
    {
        Description = "Blob container of model packages.",
        DefaultValueFactory = _ => "models",
    };

    public static BlobContainerClient Open(string connection, string container)
    {
        var service = Uri.TryCreate(connection, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"
            ? new BlobServiceClient(uri, new DefaultAzureCredential())
            : new BlobServiceClient(connection);
        return service.GetBlobContainerClient(container);
    }
}
