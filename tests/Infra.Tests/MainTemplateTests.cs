using System.Text.Json.Nodes;

namespace Infra.Tests;

/// <summary>What infra/main.bicep deploys, read from the ARM JSON the Bicep CLI compiled it to.</summary>
public sealed class MainTemplateTests
{
    private static ArmTemplate Template => ArmTemplate.Compiled;

    [Fact]
    public void Main_SubscriptionScope_CreatesTheResourceGroupAndOnlyLocalModules()
    {
        Assert.Contains("subscriptionDeploymentTemplate.json", Template.Root["$schema"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("Microsoft.Resources/resourceGroups", Template.Root["resources"]![0]!["type"]!.GetValue<string>());
        Assert.Equal(["acr-pull", "classifier", "environment", "monitoring", "pull-identity", "rbac", "registry", "storage"], Template.Modules.Keys.Order());
        var sources = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "infra-src"), "*.bicep", SearchOption.AllDirectories);
        Assert.NotEmpty(sources);
        Assert.All(sources, file => Assert.DoesNotContain("br/public:", File.ReadAllText(file), StringComparison.Ordinal));
        Assert.All(sources, file => Assert.DoesNotContain("'br:", File.ReadAllText(file), StringComparison.Ordinal));
    }

    [Fact]
    public void Parameters_GpuByDefaultT4OrA100_AllDescribed()
    {
        var parameters = Template.Root["parameters"]!.AsObject();

        Assert.True(parameters["gpu"]!["defaultValue"]!.GetValue<bool>());
        Assert.Equal("Consumption-GPU-NC8as-T4", parameters["gpuProfileType"]!["defaultValue"]!.GetValue<string>());
        Assert.Equal(["Consumption-GPU-NC8as-T4", "Consumption-GPU-NC24-A100"], Strings(parameters["gpuProfileType"]!["allowedValues"]));
        // No fixed region list: the serverless GPU regions grow; the description names the documentation to check.
        Assert.Null(parameters["location"]!["allowedValues"]);
        Assert.Contains("Using serverless GPUs", parameters["location"]!["metadata"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        foreach (var template in Template.AllTemplates)
        {
            foreach (var (name, parameter) in template["parameters"]?.AsObject() ?? [])
            {
                Assert.False(string.IsNullOrWhiteSpace(parameter!["metadata"]?["description"]?.GetValue<string>()), $"parameter '{name}' has no @description");
            }
        }
    }

    [Fact]
    public void Environment_HasConsumptionAndServerlessGpuProfiles_AndTheAppRunsOnTheGpuOne()
    {
        var environment = Template.Modules["environment"];
        var variables = environment["variables"]!.AsObject();

        Assert.Equal("""[{"name":"gpu","workloadProfileType":"[parameters('gpuProfileType')]"}]""", ArmTemplate.Compact(variables["gpuProfile"]!));
        Assert.Equal("""[{"name":"Consumption","workloadProfileType":"Consumption"}]""", ArmTemplate.Compact(variables["consumption"]!));
        var managed = Template.Single("Microsoft.App/managedEnvironments");
        Assert.Equal("[if(parameters('gpu'), concat(variables('consumption'), variables('gpuProfile')), variables('consumption'))]", managed["properties"]!["workloadProfiles"]!.GetValue<string>());
        Assert.Equal("[if(parameters('gpu'), 'gpu', 'Consumption')]", environment["outputs"]!["WORKLOAD_PROFILE_NAME"]!["value"]!.GetValue<string>());
        var classifier = ModuleParameters("classifier");
        var profileName = classifier["workloadProfileName"]!["value"]!.GetValue<string>();
        Assert.Contains("'Microsoft.Resources/deployments', 'environment')", profileName, StringComparison.Ordinal);
        Assert.EndsWith(".outputs.WORKLOAD_PROFILE_NAME.value]", profileName, StringComparison.Ordinal);
        Assert.Equal("[parameters('workloadProfileName')]", App()["properties"]!["workloadProfileName"]!.GetValue<string>());
        Assert.Equal("[if(parameters('gpu'), createObject('value', 'cuda'), createObject('value', 'cpu'))]", classifier["executionProvider"]!.GetValue<string>());
    }

    [Fact]
    public void App_IsAFunctionAppScalingFromZeroWithIngressAndNoHandWrittenScaleRule()
    {
        var app = App();

        Assert.Equal("functionapp", app["kind"]!.GetValue<string>());
        Assert.True(string.CompareOrdinal(app["apiVersion"]!.GetValue<string>(), "2025-07-01") >= 0, app["apiVersion"]!.GetValue<string>());
        var properties = app["properties"]!;
        Assert.Equal("[parameters('minReplicas')]", properties["template"]!["scale"]!["minReplicas"]!.GetValue<string>());
        Assert.Equal(0, Template.Root["parameters"]!["minReplicas"]!["defaultValue"]!.GetValue<int>());
        Assert.Null(properties["template"]!["scale"]!["rules"]);
        Assert.True(properties["configuration"]!["ingress"]!["external"]!.GetValue<bool>());
        Assert.False(properties["configuration"]!["ingress"]!["allowInsecure"]!.GetValue<bool>());
        Assert.Equal("SystemAssigned,UserAssigned", app["identity"]!["type"]!.GetValue<string>());
        Assert.Equal("""[{"server":"[parameters('registryServer')]","identity":"[parameters('pullIdentityId')]"}]""", ArmTemplate.Compact(properties["configuration"]!["registries"]!));
    }

    [Fact]
    public void AppSettings_AreIdentityBasedAndNameTheModel()
    {
        var settings = Template.Modules["classifier"]["variables"]!["settings"]!.AsArray()
            .ToDictionary(s => s!["name"]!.GetValue<string>(), s => s!["value"]!.GetValue<string>());

        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Equal("[parameters('hostStorageAccountName')]", settings["AzureWebJobsStorage__accountName"]);
        Assert.Equal("managedidentity", settings["ClassifierStorage__credential"]);
        Assert.Equal("Authorization=AAD", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
        Assert.Equal("[parameters('modelContainer')]", settings["Classifier__ModelContainer"]);
        Assert.Equal("[parameters('modelName')]", settings["Classifier__ModelName"]);
        Assert.Equal("[parameters('modelVersion')]", settings["Classifier__ModelVersion"]);
        Assert.Equal("[parameters('executionProvider')]", settings["Classifier__ExecutionProvider"]);
        Assert.DoesNotContain(settings.Keys, key => key is "AzureWebJobsStorage" or "AzureWebJobsStorage__clientId");
        Assert.Equal(["env"], App()["properties"]!["template"]!["containers"]![0]!.AsObject().Where(p => p.Key == "env").Select(p => p.Key));
    }

    [Fact]
    public void Template_HasNoSecretsInSettingsOutputsOrExpressions()
    {
        var json = Template.Root.ToJsonString();

        Assert.DoesNotContain("listKeys", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("AccountKey", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("SharedAccessSignature", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secretRef", json, StringComparison.Ordinal);
        Assert.DoesNotContain("securestring", json, StringComparison.OrdinalIgnoreCase);
        Assert.Null(App()["properties"]!["configuration"]!["secrets"]);
        foreach (var (name, _) in Template.Root["outputs"]!.AsObject())
        {
            Assert.DoesNotMatch("KEY|SECRET|PASSWORD|CONNECTION_STRING|SAS", name);
        }
    }

    [Fact]
    public void StorageAccounts_DisableSharedKeysAndPublicBlobs_RequireHttpsAndTls12()
    {
        var accounts = Template.Resources("Microsoft.Storage/storageAccounts").ToList();

        Assert.Equal(2, accounts.Count);
        var secure = Template.Modules["storage"]["variables"]!["secureProperties"]!;
        Assert.False(secure["allowSharedKeyAccess"]!.GetValue<bool>());
        Assert.False(secure["allowBlobPublicAccess"]!.GetValue<bool>());
        Assert.True(secure["supportsHttpsTrafficOnly"]!.GetValue<bool>());
        Assert.Equal("TLS1_2", secure["minimumTlsVersion"]!.GetValue<string>());
        Assert.All(accounts, account => Assert.Equal("[variables('secureProperties')]", account["properties"]!.GetValue<string>()));
    }

    [Fact]
    public void Storage_CreatesTheContainersAndTheJobQueuesIncludingPoisonUpFront()
    {
        var parameters = Template.Modules["storage"]["parameters"]!;

        Assert.Equal(["classify-jobs", "classify-jobs-poison", "classify-jobs-rejected"], Strings(parameters["queues"]!["defaultValue"]));
        Assert.Equal(["models", "inputs", "outputs"], Strings(parameters["containers"]!["defaultValue"]));
        Assert.Equal("[length(parameters('queues'))]", Template.Single("Microsoft.Storage/storageAccounts/queueServices/queues")["copy"]!["count"]!.GetValue<string>());
        Assert.Equal("None", Template.Single("Microsoft.Storage/storageAccounts/blobServices/containers")["properties"]!["publicAccess"]!.GetValue<string>());
    }

    [Fact]
    public void Monitoring_AndRegistry_DisableLocalAuthAndTheAdminUser()
    {
        Assert.True(Template.Single("Microsoft.Insights/components")["properties"]!["DisableLocalAuth"]!.GetValue<bool>());
        Assert.True(Template.Single("Microsoft.OperationalInsights/workspaces")["properties"]!["features"]!["disableLocalAuth"]!.GetValue<bool>());
        Assert.False(Template.Single("Microsoft.ContainerRegistry/registries")["properties"]!["adminUserEnabled"]!.GetValue<bool>());
        Assert.Equal("azure-monitor", Template.Single("Microsoft.App/managedEnvironments")["properties"]!["appLogsConfiguration"]!["destination"]!.GetValue<string>());
    }

    public static TheoryData<string, string, string, string> RoleAssignments => new()
    {
        // module, role variable, role definition id, scope resource
        { "rbac", "storageBlobDataOwner", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", "Microsoft.Storage/storageAccounts', parameters('hostStorageAccountName')" },
        { "rbac", "storageQueueDataContributor", "974c5e8b-45b9-4653-ba55-5f855dd0fb88", "Microsoft.Storage/storageAccounts', parameters('hostStorageAccountName')" },
        { "rbac", "storageBlobDataReader", "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1", "parameters('dataStorageAccountName'), 'default', 'models'" },
        { "rbac", "storageBlobDataContributor", "ba92f5b4-2d11-453d-a403-e96b0029c9fe", "parameters('dataStorageAccountName'), 'default', 'inputs'" },
        { "rbac", "storageBlobDataContributor", "ba92f5b4-2d11-453d-a403-e96b0029c9fe", "parameters('dataStorageAccountName'), 'default', 'outputs'" },
        { "rbac", "monitoringMetricsPublisher", "3913510d-42f4-4e42-8a64-420c390055eb", "Microsoft.Insights/components', parameters('applicationInsightsName')" },
        { "acr-pull", "acrPullRoleId", "7f951dda-4ed3-4680-a7ca-43fe172d538d", "Microsoft.ContainerRegistry/registries', parameters('registryName')" },
    };

    [Theory]
    [MemberData(nameof(RoleAssignments))]
    public void RoleAssignment_ForTheAppsIdentity_HasANamedRoleAScopeAndADeterministicName(string module, string roleVariable, string roleId, string scope)
    {
        var template = Template.Modules[module];
        var roles = template["variables"]!;
        var roleExpression = roleVariable == "acrPullRoleId" ? "variables('acrPullRoleId')" : $"variables('roles').{roleVariable}";
        Assert.Equal(roleId, roleVariable == "acrPullRoleId" ? roles["acrPullRoleId"]!.GetValue<string>() : roles["roles"]![roleVariable]!.GetValue<string>());
        var principal = module == "acr-pull" ? "parameters('pullPrincipalId')" : "parameters('appPrincipalId')";

        var assignment = ArmTemplate.ResourcesOf(template).Single(r =>
            r["type"]!.GetValue<string>() == "Microsoft.Authorization/roleAssignments"
            && r["name"]!.GetValue<string>().Contains(principal, StringComparison.Ordinal)
            && r["name"]!.GetValue<string>().Contains(roleExpression, StringComparison.Ordinal)
            && r["name"]!.GetValue<string>().Contains(scope, StringComparison.Ordinal));

        Assert.StartsWith("[guid(", assignment["name"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal($"[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', {roleExpression})]", assignment["properties"]!["roleDefinitionId"]!.GetValue<string>());
        Assert.Equal($"[{principal}]", assignment["properties"]!["principalId"]!.GetValue<string>());
        Assert.Equal("ServicePrincipal", assignment["properties"]!["principalType"]!.GetValue<string>());
    }

    [Fact]
    public void AcrPull_IsGrantedBeforeTheAppIsCreated()
    {
        var classifier = Template.Root["resources"]!.AsArray().Single(r => r!["name"]?.GetValue<string>() == "classifier")!;

        Assert.Contains(classifier["dependsOn"]!.AsArray(), d => d!.GetValue<string>().Contains("'acr-pull'", StringComparison.Ordinal));
    }

    [Fact]
    public void AzureYaml_DeploysTheClassifierServiceAsAContainerApp()
    {
        var yaml = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "infra-src", "azure.yaml"));

        Assert.Contains("provider: bicep", yaml, StringComparison.Ordinal);
        Assert.Contains("  classifier:", yaml, StringComparison.Ordinal);
        Assert.Contains("host: containerapp", yaml, StringComparison.Ordinal);
    }

    private static JsonObject App() => Template.Single("Microsoft.App/containerApps");

    private static JsonObject ModuleParameters(string module) =>
        Template.Root["resources"]!.AsArray().Single(r => r!["name"]?.GetValue<string>() == module)!["properties"]!["parameters"]!.AsObject();

    private static string[] Strings(JsonNode? array) => [.. array!.AsArray().Select(v => v!.GetValue<string>())];
}
