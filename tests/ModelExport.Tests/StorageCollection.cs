namespace ModelExport.Tests;

/// <summary>Tests that share one Azurite (see <see cref="AzuriteFixture"/>).</summary>
[CollectionDefinition(Name)]
public sealed class StorageCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "storage";
}
