using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Infra.Tests;

/// <summary>
/// What `azd deploy` applies (infra/classifier.bicep with infra/classifier.parameters.json), the postdeploy hook, and
/// the app's probes, replica and principal parameters.
/// </summary>
public sealed partial class DeployPathTests
{
    private static string Source(string name) => Path.Combine(AppContext.BaseDirectory, "infra-src", name);

    private static JsonObject Classifier => JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "infra", "classifier.json")))!.AsObject();

    private static JsonObject App(JsonObject template) =>
        ArmTemplate.ResourcesOf(template)
            .Where(r => r["type"]!.GetValue<string>() == "Microsoft.Resources/deployments")
            .SelectMany(d => ArmTemplate.ResourcesOf(d["properties"]!["template"]!.AsObject()))
            .Single(r => r["type"]!.GetValue<string>() == "Microsoft.App/containerApps");

    [Fact]
    public void ServiceTemplate_DeploysTheSameFunctionAppModuleWithThePushedImage()
    {
        var template = Classifier;
        var app = App(template);

        Assert.Contains("deploymentTemplate.json", template["$schema"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("functionapp", app["kind"]!.GetValue<string>());
        Assert.True(string.CompareOrdinal(app["apiVersion"]!.GetValue<string>(), "2025-07-01") >= 0);
        Assert.Equal(ArmTemplate.Compact(ArmTemplate.Compiled.Single("Microsoft.App/containerApps")), ArmTemplate.Compact(app));
        var module = ArmTemplate.ResourcesOf(template).Single(r => r["type"]!.GetValue<string>() == "Microsoft.Resources/deployments");
        Assert.Equal("[parameters('image')]", module["properties"]!["parameters"]!["image"]!["value"]!.GetValue<string>());
    }

    [Fact]
    public void ServiceParameters_CoverEveryParameterFromValuesAzdKnows()
    {
        var parameters = JsonNode.Parse(File.ReadAllText(Source("classifier.parameters.json")))!["parameters"]!.AsObject();
        var declared = Classifier["parameters"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal);
        var mainOutputs = ArmTemplate.Compiled.Root["outputs"]!.AsObject().Select(o => o.Key).ToHashSet(StringComparer.Ordinal);
        // Set by azd itself: the environment, the location, and the image it pushed.
        string[] fromAzd = ["AZURE_ENV_NAME", "AZURE_LOCATION", "SERVICE_CLASSIFIER_IMAGE_NAME"];

        var variables = EnvironmentReference().Matches(parameters.ToJsonString()).Select(m => m.Groups[1].Value).Distinct().ToList();

        Assert.Equal(declared, parameters.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.All(variables, v => Assert.True(mainOutputs.Contains(v) || fromAzd.Contains(v), $"{v} is neither an output of main.bicep nor set by azd"));
        Assert.Equal("${SERVICE_CLASSIFIER_IMAGE_NAME}", parameters["image"]!["value"]!.GetValue<string>());
        Assert.Equal("classifier", parameters["tags"]!["value"]!["azd-service-name"]!.GetValue<string>());
    }

    [Fact]
    public void AzureYaml_DeploysThroughTheServiceTemplateAndRunsThePostdeployCheck()
    {
        var yaml = File.ReadAllText(Source("azure.yaml"));

        Assert.Contains("    module: classifier", yaml, StringComparison.Ordinal);
        Assert.Contains("      postdeploy:", yaml, StringComparison.Ordinal);
        Assert.Contains("run: ../../infra/hooks/postdeploy.sh", yaml, StringComparison.Ordinal);
        var hook = File.ReadAllText(Source("postdeploy.sh"));
        Assert.Contains("--query kind", hook, StringComparison.Ordinal);
        Assert.Contains("\"functionapp\"", hook, StringComparison.Ordinal);
        Assert.Contains("/api/ready", hook, StringComparison.Ordinal);
        Assert.Contains("azure-queue", hook, StringComparison.Ordinal);
        Assert.Contains("executionProvider", hook, StringComparison.Ordinal);
        Assert.Contains("az containerapp function keys list", hook, StringComparison.Ordinal);
    }

    [Fact]
    public void App_HasStartupReadinessAndLivenessProbesOnTheHealthRoutes()
    {
        var probes = ArmTemplate.Compiled.Single("Microsoft.App/containerApps")["properties"]!["template"]!["containers"]![0]!["probes"]!.AsArray()
            .ToDictionary(p => p!["type"]!.GetValue<string>(), p => p!["httpGet"]!["path"]!.GetValue<string>());

        Assert.Equal("/api/ready", probes["Readiness"]);
        Assert.Equal("/api/health", probes["Liveness"]);
        Assert.Equal("/api/health", probes["Startup"]);
    }

    [Fact]
    public void Parameters_MinReplicasJobsPerReplicaAndPrincipalType_ReachTheApp()
    {
        var parameters = ArmTemplate.Compiled.Root["parameters"]!.AsObject();
        var file = JsonNode.Parse(File.ReadAllText(Source("main.parameters.json")))!["parameters"]!;
        var settings = ArmTemplate.Compiled.Modules["classifier"]["variables"]!["settings"]!.AsArray()
            .ToDictionary(s => s!["name"]!.GetValue<string>(), s => s!["value"]!.GetValue<string>());

        Assert.Equal(["User", "ServicePrincipal", "Group"], parameters["principalType"]!["allowedValues"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal("${AZURE_PRINCIPAL_TYPE=User}", file["principalType"]!["value"]!.GetValue<string>());
        Assert.Equal("${CLASSIFIER_MIN_REPLICAS=0}", file["minReplicas"]!["value"]!.GetValue<string>());
        Assert.Equal("${CLASSIFIER_JOBS_PER_REPLICA=1}", file["jobsPerReplica"]!["value"]!.GetValue<string>());
        Assert.Equal("[string(parameters('jobsPerReplica'))]", settings["AzureFunctionsJobHost__extensions__queues__batchSize"]);
        var userAssignments = ArmTemplate.ResourcesOf(ArmTemplate.Compiled.Modules["rbac"])
            .Where(r => r["type"]!.GetValue<string>() == "Microsoft.Authorization/roleAssignments" && r["properties"]!["principalId"]!.GetValue<string>() == "[parameters('userPrincipalId')]")
            .ToList();
        Assert.NotEmpty(userAssignments);
        Assert.All(userAssignments, a => Assert.Equal("[parameters('userPrincipalType')]", a["properties"]!["principalType"]!.GetValue<string>()));
        var rbac = ArmTemplate.Compiled.Root["resources"]!.AsArray().Single(r => r!["name"]?.GetValue<string>() == "rbac")!;
        Assert.Equal("[parameters('principalType')]", rbac["properties"]!["parameters"]!["userPrincipalType"]!["value"]!.GetValue<string>());
    }

    [GeneratedRegex(@"\$\{([A-Z0-9_]+)(=[^}]*)?\}")]
    private static partial Regex EnvironmentReference();
}
