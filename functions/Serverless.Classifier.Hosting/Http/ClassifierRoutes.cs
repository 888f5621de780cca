using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Serverless.Classifier.Hosting.Http;

/// <summary>
/// The one route table of the HTTP API. The Functions app's trigger attributes use these constants, the local host maps
/// <see cref="All"/>, and the OpenAPI document is built from it; a test checks the three agree.
/// </summary>
public static class ClassifierRoutes
{
    /// <summary>The prefix of every route (the Functions host's default <c>routePrefix</c>).</summary>
    public const string Prefix = "/api/";

    /// <summary><c>POST /api/classify</c>.</summary>
    public const string Classify = "classify";

    /// <summary><c>GET /api/health</c>.</summary>
    public const string Health = "health";

    /// <summary><c>GET /api/ready</c>.</summary>
    public const string Ready = "ready";

    /// <summary><c>GET /api/models</c>.</summary>
    public const string Models = "models";

    /// <summary><c>GET /api/openapi.json</c>.</summary>
    public const string OpenApi = "openapi.json";

    /// <summary>Every route, in the order the OpenAPI document lists them.</summary>
    public static IReadOnlyList<ClassifierRoute> All { get; } =
    [
        new("ClassifyHttp", HttpMethods.Post, Classify, Anonymous: false, "Classify one or more texts. Requires a function key in Azure.", (api, context) => api.ClassifyAsync(context)),
        new("Health", HttpMethods.Get, Health, Anonymous: true, "Liveness: the process is up.", (_, context) => ClassifierHttpApi.HealthAsync(context)),
        new("Ready", HttpMethods.Get, Ready, Anonymous: true, "Readiness: a model is loaded.", (api, context) => api.ReadyAsync(context)),
        new("Models", HttpMethods.Get, Models, Anonymous: true, "The model served: name, version, heads (labels, pooling, activation), maxLength, execution provider.", (api, context) => api.ModelsAsync(context)),
        new("OpenApi", HttpMethods.Get, OpenApi, Anonymous: true, "This document.", (_, context) => ClassifierHttpApi.OpenApiAsync(context)),
    ];

    /// <summary>Maps every route onto <paramref name="endpoints"/> (the local host; the Functions app binds triggers instead).</summary>
    public static void Map(IEndpointRouteBuilder endpoints, ClassifierHttpApi api)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        foreach (var route in All)
        {
            endpoints.MapMethods(route.Path, [route.Method], context => route.Handler(api, context)).WithName(route.FunctionName);
        }
    }
}

/// <summary>One route of the HTTP API.</summary>
/// <param name="FunctionName">The Azure Functions function name (and the endpoint name on the local host).</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Route">The path after <see cref="ClassifierRoutes.Prefix"/>.</param>
/// <param name="Anonymous">True when no function key is needed in Azure.</param>
/// <param name="Summary">One line for the OpenAPI document.</param>
/// <param name="Handler">Writes the whole response.</param>
public sealed record ClassifierRoute(string FunctionName, string Method, string Route, bool Anonymous, string Summary, Func<ClassifierHttpApi, HttpContext, Task> Handler)
{
    /// <summary>The full path, such as <c>/api/classify</c>.</summary>
    public string Path => ClassifierRoutes.Prefix + Route;
}
