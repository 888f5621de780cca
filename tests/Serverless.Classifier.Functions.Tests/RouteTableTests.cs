using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Serverless.Classifier.Hosting.Http;

namespace Serverless.Classifier.Functions.Tests;

/// <summary>The route table, the Functions app's HTTP triggers and the OpenAPI document describe the same routes.</summary>
public sealed class RouteTableTests
{
    private static readonly string[] Expected =
    [
        "GET /api/health anonymous", "GET /api/info anonymous", "GET /api/models anonymous", "GET /api/openapi.json anonymous", "GET /api/ready anonymous",
        "POST /api/classify function", "POST /api/predict function", "POST /api/tokenize function",
    ];

    [Fact]
    public void FunctionsHttpTriggers_AreTheRouteTable()
    {
        var triggers = typeof(ClassifyHttp).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(m => (Function: m.GetCustomAttribute<FunctionAttribute>(), Trigger: m.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).SingleOrDefault(a => a is not null)))
            .Where(m => m.Trigger is not null)
            .Select(m => (m.Function!.Name, Method: Assert.Single(m.Trigger!.Methods!).ToUpperInvariant(), Path: ClassifierRoutes.Prefix + m.Trigger.Route, Anonymous: m.Trigger.AuthLevel == AuthorizationLevel.Anonymous))
            .OrderBy(t => t.Name, StringComparer.Ordinal);

        var table = ClassifierRoutes.All.Select(r => (Name: r.FunctionName, r.Method, r.Path, r.Anonymous)).OrderBy(t => t.Name, StringComparer.Ordinal);

        Assert.Equal(table, triggers);
        Assert.Equal(Expected, ClassifierRoutes.All.Select(r => $"{r.Method} {r.Path} {(r.Anonymous ? "anonymous" : "function")}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task OpenApiDocument_ListsExactlyTheRouteTable()
    {
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();

        await ClassifierHttpApi.OpenApiAsync(context);

        context.Response.Body.Position = 0;
        var paths = JsonNode.Parse(context.Response.Body)!["paths"]!.AsObject();
        var documented = paths.SelectMany(p => p.Value!.AsObject().Select(o => $"{o.Key.ToUpperInvariant()} {p.Key} {o.Value!["operationId"]}")).Order(StringComparer.Ordinal);
        Assert.Equal(ClassifierRoutes.All.Select(r => $"{r.Method} {r.Path} {r.FunctionName}").Order(StringComparer.Ordinal), documented);
    }
}
