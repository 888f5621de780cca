using Microsoft.Extensions.Configuration;

namespace Serverless.Classifier.Hosting.Tests;

public sealed class StorageClientsTests
{
    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.ToDictionary(s => s.Key, s => (string?)s.Value)).Build();

    [Fact]
    public void FromConfiguration_ConnectionString_UsesIt()
    {
        var clients = StorageClients.FromConfiguration(Configuration(("AzureWebJobsStorage", "UseDevelopmentStorage=true")), "AzureWebJobsStorage");

        Assert.Equal("http://127.0.0.1:10000/devstoreaccount1", clients.Blobs().Uri.ToString().TrimEnd('/'));
        Assert.Equal("http://127.0.0.1:10001/devstoreaccount1/classify-jobs", clients.Queue("classify-jobs").Uri.ToString());
    }

    [Fact]
    public void FromConfiguration_IdentityBasedAccountName_DerivesTheServiceUris()
    {
        var configuration = Configuration(
            ("AzureWebJobsStorage:accountName", "sthostabc"),
            ("AzureWebJobsStorage:credential", "managedidentity"),
            ("AzureWebJobsStorage:clientId", "00000000-0000-0000-0000-000000000001"));

        var clients = StorageClients.FromConfiguration(configuration, "AzureWebJobsStorage");

        Assert.True(StorageClients.IsConfigured(configuration, "AzureWebJobsStorage"));
        Assert.Equal("https://sthostabc.blob.core.windows.net/", clients.Blobs().Uri.ToString());
        Assert.Equal("https://sthostabc.queue.core.windows.net/classify-jobs", clients.Queue("classify-jobs").Uri.ToString());
    }

    [Fact]
    public void FromConfiguration_IdentityBasedServiceUri_UsesItAsGiven()
    {
        var configuration = Configuration(("ClassifierStorage:blobServiceUri", "https://stdata.blob.core.windows.net"), ("ClassifierStorage:credential", "managedidentity"));

        var clients = StorageClients.FromConfiguration(configuration, "ClassifierStorage");

        Assert.Equal("https://stdata.blob.core.windows.net/", clients.Blobs().Uri.ToString());
        var exception = Assert.Throws<StorageConfigurationException>(() => clients.Queue("q"));
        Assert.Contains("Storage connection 'ClassifierStorage' has no queueServiceUri", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromConfiguration_NothingConfigured_SaysWhichSettingsToAdd()
    {
        var configuration = Configuration();

        var exception = Assert.Throws<StorageConfigurationException>(() => StorageClients.FromConfiguration(configuration, "ClassifierStorage"));

        Assert.False(StorageClients.IsConfigured(configuration, "ClassifierStorage"));
        Assert.Contains("Set 'ClassifierStorage' to a connection string (UseDevelopmentStorage=true for Azurite)", exception.Message, StringComparison.Ordinal);
        Assert.Contains("'ClassifierStorage__accountName'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("'ClassifierStorage__credential=managedidentity'", exception.Message, StringComparison.Ordinal);
    }
}
