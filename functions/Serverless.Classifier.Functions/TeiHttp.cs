using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Serverless.Classifier.Hosting.Http;

namespace Serverless.Classifier.Functions;

/// <summary>
/// Text Embeddings Inference-compatible routes under <c>/api</c>: <c>POST /api/predict</c> and <c>POST /api/tokenize</c>
/// (TEI clients send the function key as the <c>x-functions-key</c> header) and <c>GET /api/info</c>.
/// </summary>
public sealed class TeiHttp(ClassifierHttpApi api)
{
    [Function("TeiPredict")]
    public async Task<IActionResult> Predict([HttpTrigger(AuthorizationLevel.Function, "post", Route = ClassifierRoutes.TeiPredict)] HttpRequest request)
    {
        await api.PredictAsync(request.HttpContext);
        return new EmptyResult();
    }

    [Function("TeiTokenize")]
    public async Task<IActionResult> Tokenize([HttpTrigger(AuthorizationLevel.Function, "post", Route = ClassifierRoutes.TeiTokenize)] HttpRequest request)
    {
        await api.TokenizeAsync(request.HttpContext);
        return new EmptyResult();
    }

    [Function("TeiInfo")]
    public async Task<IActionResult> Info([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ClassifierRoutes.TeiInfo)] HttpRequest request)
    {
        await api.InfoAsync(request.HttpContext);
        return new EmptyResult();
    }
}
