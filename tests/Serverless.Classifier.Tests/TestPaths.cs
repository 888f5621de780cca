namespace Serverless.Classifier.Tests;

/// <summary>Where the test data and the default model package land in the test output folder.</summary>
internal static class TestPaths
{
    public static string TestData(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", name);

    public static string DefaultModel => Path.Combine(AppContext.BaseDirectory, "models", "default");

    public static string DefaultVocabulary => Path.Combine(DefaultModel, "vocab.txt");
}
