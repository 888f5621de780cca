using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Serverless.Classifier.Hosting.Http;

namespace Serverless.Classifier.Functions;

/// <summary><c>POST /api/classify</c> (function key required in Azure): the hosting layer's handler writes the whole response.</summary>
public sealed class ClassifyHttp(ClassifierHttpApi api)
{
    [Function(nameof(ClassifyHttp))]
    public async Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Function, "post", Route = ClassifierRoutes.Classify)] HttpRequest request)
    {
        await api.ClassifyAsync(request.HttpContext);
        return new EmptyResult();
    }
}
