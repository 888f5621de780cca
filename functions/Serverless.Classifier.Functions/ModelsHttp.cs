using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Serverless.Classifier.Hosting.Http;

namespace Serverless.Classifier.Functions;

/// <summary>Anonymous descriptions: <c>GET /api/models</c> and <c>GET /api/openapi.json</c>.</summary>
public sealed class ModelsHttp(ClassifierHttpApi api)
{
    [Function("Models")]
    public async Task<IActionResult> Models([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ClassifierRoutes.Models)] HttpRequest request)
    {
        await api.ModelsAsync(request.HttpContext);
        return new EmptyResult();
    }

    [Function("OpenApi")]
    public static async Task<IActionResult> OpenApi([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ClassifierRoutes.OpenApi)] HttpRequest request)
    {
        await ClassifierHttpApi.OpenApiAsync(request.HttpContext);
        return new EmptyResult();
    }
}
