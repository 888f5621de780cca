namespace Serverless.Classifier.Testing;

/// <summary>Where the test data and the default model package land in the test output folder.</summary>
public static class TestPaths
{
    public static string TestData(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", name);

    public static string DefaultModel => Path.Combine(AppContext.BaseDirectory, "models", "default");

    public static string DefaultVocabulary => Path.Combine(DefaultModel, "vocab.txt");

    /// <summary>The repository's root folder (the one holding Serverless.sln), found upwards from the test output.</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Serverless.sln")))
                {
                    return directory.FullName;
                }
            }

            throw new InvalidOperationException($"No Serverless.sln above '{AppContext.BaseDirectory}'.");
        }
    }
}
