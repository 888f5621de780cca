using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Serverless.Classifier.Hosting.Http;

namespace Serverless.Classifier.Functions;

/// <summary>Anonymous probes: <c>GET /api/health</c> (liveness) and <c>GET /api/ready</c> (a model is loaded).</summary>
public sealed class HealthHttp(ClassifierHttpApi api)
{
    [Function("Health")]
    public static async Task<IActionResult> Health([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ClassifierRoutes.Health)] HttpRequest request)
    {
        await ClassifierHttpApi.HealthAsync(request.HttpContext);
        return new EmptyResult();
    }

    [Function("Ready")]
    public async Task<IActionResult> Ready([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ClassifierRoutes.Ready)] HttpRequest request)
    {
        await api.ReadyAsync(request.HttpContext);
        return new EmptyResult();
    }
}
