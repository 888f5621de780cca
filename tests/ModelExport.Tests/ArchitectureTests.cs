using System.Reflection;
using System.Text.Json.Nodes;

namespace ModelExport.Tests;

/// <summary>model-export is a tool over the engine's public surface: no ASP.NET Core, no hosting layer, no Functions.</summary>
public sealed class ArchitectureTests
{
    private static readonly string[] Forbidden = ["Microsoft.AspNetCore", "Serverless.Classifier.Hosting", "Serverless.Classifier.LocalHost", "Microsoft.Azure.Functions", "Microsoft.Azure.WebJobs"];

    [Fact]
    public void ModelExport_ReferencesNoAspNetCoreNorHostingAssemblyAnywhereInItsClosure()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<AssemblyName>([typeof(ModelExportCli).Assembly.GetName()]);
        while (pending.TryDequeue(out var name))
        {
            if (!seen.Add(name.Name!) || name.Name!.StartsWith("System", StringComparison.Ordinal) || name.Name is "netstandard" or "mscorlib")
            {
                continue;
            }

            foreach (var reference in Assembly.Load(name).GetReferencedAssemblies())
            {
                pending.Enqueue(reference);
            }
        }

        Assert.Contains("Serverless.Classifier", seen);
        Assert.All(Forbidden, prefix => Assert.DoesNotContain(seen, name => name.StartsWith(prefix, StringComparison.Ordinal)));
    }

    [Fact]
    public void ModelExport_RunsOnTheBareRuntimeWithoutTheAspNetCoreFramework()
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "model-export.runtimeconfig.json")))!;
        var options = config["runtimeOptions"]!;
        var frameworks = options["frameworks"]?.AsArray().Select(f => f!["name"]!.GetValue<string>()).ToList()
            ?? [options["framework"]!["name"]!.GetValue<string>()];

        Assert.Equal(["Microsoft.NETCore.App"], frameworks);
    }
}
