using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace Serverless.Classifier.Hosting;

/// <summary>
/// Blob and queue clients for a named connection, configured the way the Functions host reads connections:
/// <c>NAME</c> as a connection string (Azurite: <c>UseDevelopmentStorage=true</c>), or identity-based
/// <c>NAME__blobServiceUri</c> / <c>NAME__queueServiceUri</c> / <c>NAME__accountName</c> with
/// <c>NAME__credential=managedidentity</c> and an optional <c>NAME__clientId</c> (otherwise DefaultAzureCredential).
/// </summary>
public sealed class StorageClients
{
    private readonly string? _connectionString;
    private readonly Uri? _blobUri;
    private readonly Uri? _queueUri;
    private readonly TokenCredential? _credential;

    private StorageClients(string name, string? connectionString, Uri? blobUri, Uri? queueUri, TokenCredential? credential)
    {
        Name = name;
        _connectionString = connectionString;
        _blobUri = blobUri;
        _queueUri = queueUri;
        _credential = credential;
    }

    /// <summary>The connection's name (a configuration key), for messages.</summary>
    public string Name { get; }

    /// <summary>True when the named connection has a connection string or service URIs.</summary>
    public static bool IsConfigured(IConfiguration configuration, string name)
    {
        var section = configuration.GetSection(name);
        return !string.IsNullOrWhiteSpace(section.Value) || section["blobServiceUri"] is not null || section["queueServiceUri"] is not null || section["accountName"] is not null;
    }

    /// <summary>Reads the named connection; a missing one is an error that says which settings to add.</summary>
    public static StorageClients FromConfiguration(IConfiguration configuration, string name)
    {
        var section = configuration.GetSection(name);
        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            var clients = new StorageClients(name, section.Value, null, null, null);
            clients.CheckConnectionString();
            return clients;
        }

        var account = section["accountName"];
        var blobUri = section["blobServiceUri"] is { } blob ? new Uri(blob) : account is null ? null : new Uri($"https://{account}.blob.core.windows.net");
        var queueUri = section["queueServiceUri"] is { } queue ? new Uri(queue) : account is null ? null : new Uri($"https://{account}.queue.core.windows.net");
        if (blobUri is null && queueUri is null)
        {
            throw new StorageConfigurationException(
                $"Storage connection '{name}' is not configured. Set '{name}' to a connection string (UseDevelopmentStorage=true for Azurite), " +
                $"or set '{name}__accountName' (or '{name}__blobServiceUri' and '{name}__queueServiceUri') with '{name}__credential=managedidentity' for identity-based access.");
        }

        TokenCredential credential = string.Equals(section["credential"], "managedidentity", StringComparison.OrdinalIgnoreCase)
            ? section["clientId"] is { Length: > 0 } clientId ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId)) : new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
            : new DefaultAzureCredential();
        return new StorageClients(name, null, blobUri, queueUri, credential);
    }

    /// <summary>A blob service client on this connection.</summary>
    public BlobServiceClient Blobs() => _connectionString is not null
        ? new BlobServiceClient(_connectionString)
        : new BlobServiceClient(_blobUri ?? throw Missing("blobServiceUri"), _credential);

    /// <summary>A queue client; messages are base64, as the Functions queue trigger expects by default.</summary>
    public QueueClient Queue(string queueName)
    {
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        return _connectionString is not null
            ? new QueueClient(_connectionString, queueName, options)
            : new QueueClient(new Uri((_queueUri ?? throw Missing("queueServiceUri")) + queueName), _credential, options);
    }

    /// <summary>Builds the clients once, so a malformed connection string fails now with the setting's name.</summary>
    private void CheckConnectionString()
    {
        try
        {
            _ = new BlobServiceClient(_connectionString);
        }
        catch (Exception exception) when (exception is FormatException or ArgumentException or InvalidOperationException)
        {
            // The SDK's message can quote the account key: it is not repeated here.
            throw new StorageConfigurationException(
                $"Setting '{Name}' is not a valid storage connection string ({exception.GetType().Name}); set it to the account's connection string " +
                $"(portal: Access keys), UseDevelopmentStorage=true for Azurite, or use '{Name}__accountName' with '{Name}__credential=managedidentity'.",
                exception);
        }
    }

    /// <summary>One line for a storage request refused at start-up (wrong key, missing role, unreachable account).</summary>
    public StorageConfigurationException Refused(Azure.RequestFailedException exception) => new(
        exception.Status is 401 or 403
            ? $"Storage connection '{Name}' was refused ({exception.Status} {exception.ErrorCode}): the account key or SAS in '{Name}' is wrong, or the identity lacks a storage data role; fix the setting or the role assignment."
            : $"Storage connection '{Name}' failed ({exception.Status} {exception.ErrorCode}); check that the account in '{Name}' exists and is reachable.",
        exception);

    private StorageConfigurationException Missing(string setting) =>
        new($"Storage connection '{Name}' has no {setting}; set '{Name}__{setting}' or '{Name}__accountName'.");
}
