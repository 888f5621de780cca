using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Serverless.Classifier.Hosting.Diagnostics;
using Serverless.Classifier.Model;

namespace Serverless.Classifier.Hosting.Http;

/// <summary>
/// The HTTP API (docs/architecture.md), host-neutral: the Functions app and the local host call these handlers with
/// the request's <see cref="HttpContext"/>, and each writes the whole response. Errors map to problem details in
/// <see cref="Problems.Map"/>; nothing here throws for bad input.
/// </summary>
public sealed partial class ClassifierHttpApi(ITextClassifier classifier, IOptions<ClassifierOptions> options, ILogger<ClassifierHttpApi> logger)
{
    /// <summary>Response header: the model's name.</summary>
    public const string ModelNameHeader = "x-model-name";
    /// <summary>Response header: the model package's version.</summary>
    public const string ModelVersionHeader = "x-model-version";

    /// <summary>Response header: milliseconds spent tokenizing.</summary>
    public const string TokenizeMsHeader = "x-tokenize-ms";

    /// <summary>Response header: milliseconds spent waiting in the inference queue.</summary>
    public const string QueueMsHeader = "x-queue-ms";

    /// <summary>Response header: milliseconds spent in the encoder and head.</summary>
    public const string InferenceMsHeader = "x-inference-ms";

    /// <summary><c>POST /api/classify</c>.</summary>
    public async Task ClassifyAsync(HttpContext context)
    {
        var cancellationToken = context.RequestAborted;
        try
        {
            if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var mediaType)
                || !(mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || mediaType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase)))
            {
                await Problems.WriteAsync(
                    context, StatusCodes.Status415UnsupportedMediaType, Problems.UnsupportedMediaType, "Unsupported media type.",
                    $"Content-Type is '{context.Request.ContentType}'; send the body as application/json.", "Content-Type");
                return;
            }

            // Until a model is loaded (the refresh service loads it at start), answer 503 at once rather than hold the
            // request through a download.
            if (classifier.Manifest is null)
            {
                HostingThrow.ModelUnavailable("No model is loaded yet; retry after the Retry-After delay (GET /api/ready turns 200 when it is).");
            }

            var body = await ReadBodyAsync(context.Request, options.Value.MaxRequestBodyBytes, cancellationToken);
            var (request, topK, singleInput) = ClassifyRequestParser.Parse(body);
            ClassificationResult result;
            try
            {
                result = await classifier.ClassifyAsync(request, cancellationToken);
            }
            catch (ClassifierException exception) when (singleInput && exception.Field is { } field && field.StartsWith("inputs[0]", StringComparison.Ordinal)
                && exception.Message.StartsWith("inputs[0]", StringComparison.Ordinal))
            {
                // The client sent one input, not an array: name the field as sent.
                throw new ClassifierException(exception.Kind, "inputs" + exception.Message["inputs[0]".Length..], exception) { Field = "inputs" + field["inputs[0]".Length..], Rule = exception.Rule };
            }


            var headers = context.Response.Headers;
            headers[ModelNameHeader] = result.ModelName;
            headers[ModelVersionHeader] = result.ModelVersion;
            headers[TokenizeMsHeader] = Milliseconds(result.TokenizeMs);
            headers[QueueMsHeader] = Milliseconds(result.QueueMs);
            headers[InferenceMsHeader] = Milliseconds(result.InferenceMs);
            var payload = result.Texts.Select(text => LabelRanking.Entry(text, result.Labels, topK));
            await context.Response.WriteAsJsonAsync(payload, ApiJson.Options, "application/json", cancellationToken);
        }
        catch (ClassifierException exception)
        {
            Log.HttpRequestFailed(logger, exception.Kind, exception.Field);
            await Problems.WriteAsync(context, exception);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await WriteUnexpectedAsync(context, exception);
        }
    }

    /// <summary><c>GET /api/health</c>: the process is alive.</summary>
    public static Task HealthAsync(HttpContext context) =>
        context.Response.WriteAsJsonAsync(new { status = "alive" }, ApiJson.Options, context.RequestAborted);

    /// <summary><c>GET /api/ready</c>: 200 once a model is loaded, else 503 with Retry-After.</summary>
    public Task ReadyAsync(HttpContext context) => GuardAsync(context, () => WriteReadyAsync(context));

    private Task WriteReadyAsync(HttpContext context)
    {
        var manifest = classifier.Manifest;
        if (manifest is null)
        {
            // The reason of the last failed load (a missing package, CUDA that cannot load...) tells operators what to fix.
            var reason = classifier.LoadError is { } error ? $"No model is loaded: {error} The service retries loading it." : "No model is loaded yet; the service is loading it.";
            return Problems.WriteAsync(
                context, StatusCodes.Status503ServiceUnavailable, Problems.Map(ClassifierErrorKind.ModelUnavailable).Type, "Not ready.", reason, retryAfterSeconds: 10);
        }

        return context.Response.WriteAsJsonAsync(new { status = "ready", model = manifest.Name, version = manifest.Version }, ApiJson.Options, context.RequestAborted);
    }

    /// <summary><c>GET /api/models</c>: the model being served, its heads and the execution provider.</summary>
    public Task ModelsAsync(HttpContext context) => GuardAsync(context, () => WriteModelsAsync(context));

    private Task WriteModelsAsync(HttpContext context)
    {
        var manifest = classifier.Manifest;
        if (manifest is null)
        {
            return Problems.WriteAsync(context, new ClassifierException(ClassifierErrorKind.ModelUnavailable, "No model is loaded yet; retry shortly."));
        }

        var description = new
        {
            name = manifest.Name,
            version = manifest.Version,
            defaultHead = manifest.DefaultHead,
            maxLength = manifest.Tokenizer.MaxLength,
            hiddenSize = manifest.Encoder.HiddenSize,
            executionProvider = classifier.ExecutionProvider,
            executionDevice = classifier.ExecutionDevice,
            heads = manifest.Heads.Select(h => new
            {
                name = h.Name,
                labels = h.Labels,
                pooling = h.Pooling.ToString().ToLowerInvariant(),
                activation = h.Activation.ToString().ToLowerInvariant(),
                threshold = h.Threshold,
                thresholds = h.Thresholds,
                temperature = h.Temperature,
                // What a request may ask of this head.
                supports = new
                {
                    chunking = true,
                    textPairs = manifest.Encoder.TokenTypeIds is not null,
                    selected = h.Activation == Activation.Sigmoid,
                    truncationDirection = true,
                },
            }),
        };
        return context.Response.WriteAsJsonAsync(description, ApiJson.Options, context.RequestAborted);
    }

    /// <summary><c>GET /api/openapi.json</c>: an OpenAPI 3 document of these routes.</summary>
    public static async Task OpenApiAsync(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(OpenApiDocumentFactory.Json, context.RequestAborted);
    }

    /// <summary>Runs a handler with the same last line of defence as classify.</summary>
    private async Task GuardAsync(HttpContext context, Func<Task> handler)
    {
        try
        {
            await handler();
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            await WriteUnexpectedAsync(context, exception);
        }
    }

    /// <summary>
    /// The last line of defence: an exception nothing mapped becomes a problem+json 500 whose error id is also in the
    /// log (event 3001, with the exception), never an empty body or a stack trace.
    /// </summary>
    private async Task WriteUnexpectedAsync(HttpContext context, Exception exception)
    {
        var errorId = System.Diagnostics.Activity.Current?.TraceId.ToString() is { } traceId && traceId != default(System.Diagnostics.ActivityTraceId).ToString()
            ? traceId
            : Guid.NewGuid().ToString("N");
        Log.HttpUnexpectedError(logger, errorId, context.Request.Path, exception);
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.Clear();
        await Problems.WriteUnexpectedAsync(context, errorId);
    }

    private static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            HostingThrow.PayloadTooLarge("body", $"The body has {request.ContentLength} bytes; at most {maxBytes} are allowed. Send fewer or shorter inputs per request.");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                HostingThrow.PayloadTooLarge("body", $"The body has more than {maxBytes} bytes; at most {maxBytes} are allowed. Send fewer or shorter inputs per request.");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    private static string Milliseconds(double value) => value.ToString("F3", CultureInfo.InvariantCulture);
}
