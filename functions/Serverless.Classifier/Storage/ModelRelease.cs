using System.Text.Json;

namespace Serverless.Classifier.Storage;

/// <summary><c>&lt;container&gt;/&lt;name&gt;/latest.json</c>: the version to serve unless the app pins one.</summary>
/// <param name="Version">The package version (the folder under <c>&lt;name&gt;/</c>).</param>
internal sealed record ModelRelease(string Version)
{
    public const string FileName = "latest.json";

    public static ModelRelease Parse(BinaryData content, string source)
    {
        ModelRelease? release = null;
        try
        {
            release = content.ToObjectFromJson<ModelRelease>(JsonSerializerOptions.Web);
        }
        catch (JsonException exception)
        {
            throw new ClassifierException(ClassifierErrorKind.ModelInvalid, $"'{source}' is not valid JSON ({exception.Message}); expected {{\"version\": \"<version>\"}}.", exception);
        }

        if (string.IsNullOrWhiteSpace(release?.Version) || release.Version.Contains('/', StringComparison.Ordinal) || release.Version.Contains("..", StringComparison.Ordinal))
        {
            ClassifierThrow.ModelInvalid($"'{source}' names version '{release?.Version}'; expected {{\"version\": \"<version>\"}} naming a folder next to it.");
        }

        return release!;
    }

    public BinaryData ToJson() => BinaryData.FromString(JsonSerializer.Serialize(this, JsonSerializerOptions.Web));
}
