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

    /// <summary><c>POST /api/predict</c> (and <c>/predict</c> on the local host): Text Embeddings Inference's classify.</summary>
    public const string TeiPredict = "predict";

    /// <summary><c>POST /api/tokenize</c> (and <c>/tokenize</c> on the local host): TEI's tokenize.</summary>
    public const string TeiTokenize = "tokenize";

    /// <summary><c>GET /api/info</c> (and <c>/info</c> on the local host): TEI's model description.</summary>
    public const string TeiInfo = "info";

    /// <summary>Every route, in the order the OpenAPI document lists them.</summary>
    public static IReadOnlyList<ClassifierRoute> All { get; } =
    [
        new("ClassifyHttp", HttpMethods.Post, Classify, Anonymous: false, "Classify one or more texts. Requires a function key in Azure.", (api, context) => api.ClassifyAsync(context)),
        new("Health", HttpMethods.Get, Health, Anonymous: true, "Liveness: the process is up.", (_, context) => ClassifierHttpApi.HealthAsync(context)),
        new("Ready", HttpMethods.Get, Ready, Anonymous: true, "Readiness: a model is loaded.", (api, context) => api.ReadyAsync(context)),
        new("Models", HttpMethods.Get, Models, Anonymous: true, "The model served: name, version, heads (labels, pooling, activation), maxLength, execution provider.", (api, context) => api.ModelsAsync(context)),
        new("OpenApi", HttpMethods.Get, OpenApi, Anonymous: true, "This document.", (_, context) => ClassifierHttpApi.OpenApiAsync(context)),
        new("TeiPredict", HttpMethods.Post, TeiPredict, Anonymous: false, "Text Embeddings Inference-compatible classification (default head). Requires a function key in Azure (x-functions-key).", (api, context) => api.PredictAsync(context), AlsoAtRoot: true),
        new("TeiTokenize", HttpMethods.Post, TeiTokenize, Anonymous: false, "Text Embeddings Inference-compatible tokenization. Requires a function key in Azure (x-functions-key).", (api, context) => api.TokenizeAsync(context), AlsoAtRoot: true),
        new("TeiInfo", HttpMethods.Get, TeiInfo, Anonymous: true, "Text Embeddings Inference-compatible model information.", (api, context) => api.InfoAsync(context), AlsoAtRoot: true),
    ];

    /// <summary>Maps every route onto <paramref name="endpoints"/> (the local host; the Functions app binds triggers instead).</summary>
    public static void Map(IEndpointRouteBuilder endpoints, ClassifierHttpApi api)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        foreach (var route in All)
        {
            endpoints.MapMethods(route.Path, [route.Method], context => route.Handler(api, context)).WithName(route.FunctionName);
            if (route.AlsoAtRoot)
            {
                // TEI clients call /predict, /tokenize and /info at the root of the server.
                endpoints.MapMethods("/" + route.Route, [route.Method], context => route.Handler(api, context)).WithName(route.FunctionName + "AtRoot");
            }
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
/// <param name="AlsoAtRoot">Also served at <c>/&lt;route&gt;</c> on the local host (the Text Embeddings Inference-compatible routes).</param>
public sealed record ClassifierRoute(
    string FunctionName, string Method, string Route, bool Anonymous, string Summary, Func<ClassifierHttpApi, HttpContext, Task> Handler, bool AlsoAtRoot = false)
{
    /// <summary>The full path, such as <c>/api/classify</c>.</summary>
    public string Path => ClassifierRoutes.Prefix + Route;
}
