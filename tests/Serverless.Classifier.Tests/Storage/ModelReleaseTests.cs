using Serverless.Classifier.Storage;

namespace Serverless.Classifier.Tests.Storage;

public sealed class ModelReleaseTests
{
    [Theory]
    [InlineData("{\"version\":\"1.2.0\"}", null)]
    [InlineData("{\"version\":\"\"}", "names version ''")]
    [InlineData("{\"version\":\"../x\"}", "names version '../x'")]
    [InlineData("not json", "is not valid JSON")]
    public void Parse_VersionFolderName_IsAcceptedElseModelInvalid(string json, string? error)
    {
        if (error is null)
        {
            Assert.Equal("1.2.0", ModelRelease.Parse(BinaryData.FromString(json), "models/m/latest.json").Version);
            return;
        }

        var exception = Assert.Throws<ClassifierException>(() => ModelRelease.Parse(BinaryData.FromString(json), "models/m/latest.json"));
        Assert.Equal(ClassifierErrorKind.ModelInvalid, exception.Kind);
        Assert.Contains(error, exception.Message, StringComparison.Ordinal);
    }
}
