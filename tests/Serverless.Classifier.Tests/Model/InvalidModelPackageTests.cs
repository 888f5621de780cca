using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Serverless.Classifier.Tests.Model;

/// <summary>
/// Each file of TestData/invalid/ describes one defect applied to a copy of the default package (a manifest field set,
/// the manifest replaced, or a file deleted), with the error kind and message fragment loading must give.
/// </summary>
public sealed partial class InvalidModelPackageTests
{
    public static TheoryData<string> Defects() =>
        [.. Directory.GetFiles(TestPaths.TestData("invalid"), "*.json").Select(f => Path.GetFileNameWithoutExtension(f)).Order()];

    [Theory]
    [MemberData(nameof(Defects))]
    public async Task LoadAsync_PackageWithOneDefect_ThrowsTheDocumentedError(string defect)
    {
        var spec = JsonNode.Parse(await File.ReadAllTextAsync(TestPaths.TestData($"invalid/{defect}.json")))!.AsObject();
        using var package = TemporaryPackage.CopyOfDefaultModel();
        Apply(spec, package.Directory);

        var exception = await Assert.ThrowsAsync<ClassifierException>(() => DefaultModelFixture.LoadModelAsync(package.Directory, TestContext.Token));

        Assert.Equal(Enum.Parse<ClassifierErrorKind>(spec["kind"]!.GetValue<string>()), exception.Kind);
        Assert.Contains(spec["message"]!.GetValue<string>(), exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_UntouchedCopy_Loads()
    {
        using var package = TemporaryPackage.CopyOfDefaultModel();

        using var model = await DefaultModelFixture.LoadModelAsync(package.Directory, TestContext.Token);

        Assert.Equal("sentiment", model.Manifest.DefaultHead);
    }

    private static void Apply(JsonObject spec, string directory)
    {
        var manifestPath = Path.Combine(directory, "manifest.json");
        if (spec["manifestText"] is { } text)
        {
            File.WriteAllText(manifestPath, text.GetValue<string>());
        }

        if (spec["deleteFile"] is { } file)
        {
            File.Delete(Path.Combine(directory, file.GetValue<string>()));
        }

        if (spec["set"] is JsonObject assignments)
        {
            var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
            foreach (var (path, value) in assignments)
            {
                var segments = PathSegment().Matches(path).Select(m => m.Value).ToArray();
                var parent = segments[..^1].Aggregate(manifest, (node, segment) => int.TryParse(segment, out var index) ? node[index]! : node[segment]!);
                parent.AsObject()[segments[^1]] = value?.DeepClone();
            }

            File.WriteAllText(manifestPath, manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
    }

    [GeneratedRegex(@"[^.\[\]]+")]
    private static partial Regex PathSegment();
}
