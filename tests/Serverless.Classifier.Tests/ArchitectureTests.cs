namespace Serverless.Classifier.Tests;

public sealed class ArchitectureTests
{
    private static readonly System.Reflection.Assembly Core = typeof(ITextClassifier).Assembly;

    [Fact]
    public void Core_ReferencesNoFunctionsOrWebJobsAssembly()
    {
        var references = Core.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.DoesNotContain(references, name => name.StartsWith("Microsoft.Azure.Functions", StringComparison.Ordinal));
        Assert.DoesNotContain(references, name => name.StartsWith("Microsoft.Azure.WebJobs", StringComparison.Ordinal));
    }

    [Fact]
    public void Core_PublicSurfaceIsTheDocumentedOne()
    {
        var expected = new[]
        {
            "ClassificationRequest", "ClassificationResult", "ClassifierErrorKind", "ClassifierException", "ClassifierOptions",
            "ClassifierServiceCollectionExtensions", "ITextClassifier", "LabelScore",
            "Model.Activation", "Model.EncoderManifest", "Model.HeadManifest", "Model.ModelManifest", "Model.Pooling",
            "Model.SpecialTokens", "Model.TokenizerManifest",
            // Entry points of the adapters (Functions app, local host).
            "Api.ClassifierHttpApi", "Jobs.ClassifyJobProcessor", "Jobs.JobOptions", "Jobs.JobOutcome",
        };

        var actual = Core.GetExportedTypes().Select(t => t.FullName!["Serverless.Classifier.".Length..]).Order(StringComparer.Ordinal);

        Assert.Equal(expected.Order(StringComparer.Ordinal), actual);
    }
}
