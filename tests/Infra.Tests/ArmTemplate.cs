using System.Text.Json.Nodes;

namespace Infra.Tests;

/// <summary>The compiled ARM template (infra/main.bicep), with every resource of every nested module deployment.</summary>
internal sealed class ArmTemplate
{
    private static readonly Lazy<ArmTemplate> Main = new(() =>
        new ArmTemplate(JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "infra", "main.json")))!.AsObject()));

    private ArmTemplate(JsonObject root)
    {
        Root = root;
        Modules = ResourcesOf(root)
            .Where(r => r["type"]!.GetValue<string>() == "Microsoft.Resources/deployments")
            .ToDictionary(r => r["name"]!.GetValue<string>(), r => r["properties"]!["template"]!.AsObject());
    }

    public static ArmTemplate Compiled => Main.Value;

    public JsonObject Root { get; }

    /// <summary>Module deployments by name (monitoring, registry, storage, environment, classifier, rbac...).</summary>
    public IReadOnlyDictionary<string, JsonObject> Modules { get; }

    public IEnumerable<JsonObject> AllTemplates => Modules.Values.Prepend(Root);

    public IEnumerable<JsonObject> Resources(string type) => AllTemplates
        .SelectMany(ResourcesOf)
        .Where(r => r["type"]!.GetValue<string>() == type);

    /// <summary>A template's resources: an array, or (languageVersion 2.0, symbolic names) an object of them.</summary>
    public static IEnumerable<JsonObject> ResourcesOf(JsonObject template) => template["resources"] switch
    {
        JsonArray array => array.Select(r => r!.AsObject()),
        JsonObject symbolic => symbolic.Select(pair => pair.Value!.AsObject()),
        _ => [],
    };

    /// <summary>Compact JSON without escaping quotes, for comparing with ARM expressions.</summary>
    public static string Compact(JsonNode node) =>
        node.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    public JsonObject Single(string type) => Assert.Single(Resources(type));

    public static string? Text(JsonNode? node) => node?.GetValueKind() == System.Text.Json.JsonValueKind.String ? node.GetValue<string>() : node?.ToJsonString();
}
