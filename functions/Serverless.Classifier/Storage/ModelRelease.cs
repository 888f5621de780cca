using System.Text.Json;

namespace Serverless.Classifier.Storage;

/// <summary><c>&lt;container&gt;/&lt;name&gt;/latest.json</c>: the version to serve unless the app pins one.</summary>
/// <param name="Version">The package version (the folder under <c>&lt;name&gt;/</c>).</param>
public sealed record ModelRelease(string Version)
{
    /// <summary>The file's name under <c>&lt;container&gt;/&lt;name&gt;/</c>.</summary>
    public const string FileName = "latest.json";

    /// <summary>Parses and checks the file's content; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="ClassifierException">ModelInvalid: not JSON, or no usable version.</exception>
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

    /// <summary>The file's content.</summary>
    public BinaryData ToJson() => BinaryData.FromString(JsonSerializer.Serialize(this, JsonSerializerOptions.Web));
}
