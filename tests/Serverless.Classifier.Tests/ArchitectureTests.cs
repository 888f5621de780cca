using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Serverless.Classifier.Tests;

/// <summary>The walls between the parts (docs/architecture.md): the engine knows no protocol, and tools use its public surface.</summary>
public sealed partial class ArchitectureTests
{
    private static readonly System.Reflection.Assembly Engine = typeof(ITextClassifier).Assembly;

    /// <summary>Assembly name prefixes of protocols and hosts, which belong to the hosting layer and the hosts.</summary>
    private static readonly string[] ProtocolAssemblies =
        ["Microsoft.AspNetCore", "Azure.Storage.Queues", "Sep", "Microsoft.OpenApi", "Microsoft.Azure.Functions", "Microsoft.Azure.WebJobs", "Serverless.Classifier.Hosting"];

    [Fact]
    public void Engine_ReferencesNoProtocolOrHostAssembly()
    {
        var references = Engine.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.All(ProtocolAssemblies, prefix => Assert.DoesNotContain(references, name => name.StartsWith(prefix, StringComparison.Ordinal)));
    }

    [Fact]
    public void EngineProject_HasNoFrameworkReferenceNorProtocolPackage()
    {
        var project = XDocument.Load(Path.Combine(TestPaths.RepositoryRoot, "functions", "Serverless.Classifier", "Serverless.Classifier.csproj"));
        var references = project.Descendants().Where(e => e.Name.LocalName is "FrameworkReference" or "PackageReference").Select(e => (string)e.Attribute("Include")!).ToList();

        Assert.DoesNotContain(project.Descendants(), e => e.Name.LocalName == "FrameworkReference");
        Assert.All(ProtocolAssemblies, prefix => Assert.DoesNotContain(references, name => name.StartsWith(prefix, StringComparison.Ordinal)));
    }

    [Fact]
    public void InternalsVisibleTo_NamesOnlyTestAndBenchmarkAssemblies()
    {
        var root = TestPaths.RepositoryRoot;
        var projects = Directory.EnumerateFiles(Path.Combine(root, "functions"), "*.csproj", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "model-export"), "*.csproj", SearchOption.AllDirectories))
            .ToList();

        var friends = projects.SelectMany(p => XDocument.Load(p).Descendants().Where(e => e.Name.LocalName == "InternalsVisibleTo").Select(e => (Project: Path.GetFileName(p), Friend: (string)e.Attribute("Include")!))).ToList();

        Assert.True(projects.Count >= 5, $"found only {projects.Count} production projects");
        Assert.All(friends, f => Assert.True(f.Friend.EndsWith(".Tests", StringComparison.Ordinal) || f.Friend.EndsWith(".Benchmarks", StringComparison.Ordinal), $"{f.Project} opens its internals to {f.Friend}"));
    }

    [Fact]
    public void Engine_PublicSurfaceIsTheDocumentedOne()
    {
        var expected = new[]
        {
            "ClassificationRequest", "ClassificationResult", "ClassifierErrorKind", "ClassifierException", "ClassifierOptions", "ClassifierTelemetry",
            "ClassifierServiceCollectionExtensions", "InferencePriority", "InvalidInputRule", "ITextClassifier", "PinnedModel", "TextLimits", "TextProblem", "TextScores", "TruncationDirection",
            "Chunking", "ChunkAggregate", "ChunkScores",
            // The tooling surface (model-export): features on a frozen encoder, packages, publishing.
            "Inference.EncodedBatch", "Inference.FeatureExtractor",
            "Model.Activation", "Model.EncoderManifest", "Model.EncoderPrecision", "Model.HeadManifest", "Model.ModelManifest", "Model.ModelPackage", "Model.Pooling",
            "Model.SpecialTokens", "Model.TokenizerManifest",
            "Storage.ModelPublisher", "Storage.ModelRelease",
            "Tokenization.EncodedText", "Tokenization.WordPieceTextTokenizer",
        };

        var actual = Engine.GetExportedTypes().Select(t => t.FullName!["Serverless.Classifier.".Length..]).Order(StringComparer.Ordinal);

        Assert.Equal(expected.Order(StringComparer.Ordinal), actual);
    }

    [Fact]
    public void SourcesAndDocs_CiteOnlyDocumentsInTheRepository()
    {
        var root = TestPaths.RepositoryRoot;
        string[] skipped = ["artifacts", "node_modules", ".git", "bin", "obj", ".azurite"];
        // Dot files (.editorconfig, .gitignore, .dockerignore, .ci/run) count too: Path.GetExtension gives the whole name.
        string[] extensions = [".cs", ".csproj", ".props", ".targets", ".md", ".bicep", ".json", ".yaml", ".sh", ".py", ".mjs", ".lua", ".editorconfig", ".gitignore", ".dockerignore", ".config"];
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => (extensions.Contains(Path.GetExtension(f)) || Path.GetRelativePath(root, f) == Path.Combine(".ci", "run"))
                && !Path.GetRelativePath(root, f).Split(Path.DirectorySeparatorChar).Any(skipped.Contains))
            .Where(f => !f.EndsWith(".lock.json", StringComparison.Ordinal) && !f.EndsWith("package-lock.json", StringComparison.Ordinal))
            .ToList();
        var documents = Directory.EnumerateFiles(root, "*.md", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(root, f).Split(Path.DirectorySeparatorChar).Any(skipped.Contains))
            .Select(f => Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .ToHashSet(StringComparer.Ordinal);

        var missing = new List<string>();
        foreach (var file in files)
        {
            foreach (Match match in DocumentReference().Matches(File.ReadAllText(file)))
            {
                var cited = match.Value.TrimStart('.', '/');
                if (!documents.Contains(cited) && !documents.Any(d => d.EndsWith("/" + cited, StringComparison.Ordinal)))
                {
                    missing.Add($"{Path.GetRelativePath(root, file)} cites {match.Value}");
                }
            }
        }

        Assert.True(files.Count > 100, $"scanned only {files.Count} files");
        Assert.True(missing.Count == 0, string.Join(Environment.NewLine, missing));
    }

    // A path to a Markdown document: letters, digits, '.', '_', '-' and '/' ending in .md (not part of a longer word).
    [GeneratedRegex(@"(?<![\w/.-])[\w./-]*[A-Za-z0-9_-]\.md\b")]
    private static partial Regex DocumentReference();
}
