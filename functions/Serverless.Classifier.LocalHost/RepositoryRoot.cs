namespace Serverless.Classifier.LocalHost;

/// <summary>The repository root (the folder with Serverless.sln and package.json), found from the working or app folder.</summary>
internal static class RepositoryRoot
{
    public static string Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Serverless.sln")) && File.Exists(Path.Combine(directory.FullName, "package.json")))
                {
                    return directory.FullName;
                }
            }
        }

        throw new InvalidOperationException(
            "Cannot find the repository root (Serverless.sln and package.json) above the working folder; run the local host from the clone, " +
            "or set AzureWebJobsStorage to a running Azurite or storage account.");
    }
}
