using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Serverless.Classifier.Hosting.Diagnostics;
using Serverless.Classifier.Model;

namespace Serverless.Classifier.Hosting.Http;

/// <summary>
/// Text Embeddings Inference-compatible routes, so TEI clients can point at this service: <c>POST /predict</c>,
/// <c>POST /tokenize</c> and <c>GET /info</c> with TEI's request and response shapes, statuses and error body
/// <c>{"error", "error_type"}</c>. They run the same engine as <c>/api/classify</c>, on the default head.
/// Differences, documented in docs/architecture.md: text pairs are refused (the model classifies single texts), and
/// <c>/tokenize</c> gives token ids, texts and special flags without character offsets (<c>start</c>/<c>stop</c> null).
/// </summary>
public sealed partial class ClassifierHttpApi
{
    private static readonly string Version =
        typeof(ClassifierHttpApi).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary><c>POST /predict</c>: TEI's classification route.</summary>
    public Task PredictAsync(HttpContext context) => TeiAsync(context, async cancellationToken =>
    {
        var parsed = TeiRequestParser.ParsePredict(await ReadTeiBodyAsync(context, cancellationToken));
        // As on /api/classify: answer 503 at once until a model is loaded, rather than hold the request through a download.
        _ = classifier.Manifest ?? throw new ClassifierException(ClassifierErrorKind.ModelUnavailable, "No model is loaded yet; retry after the Retry-After delay.");
        var result = await classifier.ClassifyAsync(parsed.Request, cancellationToken);
        var predictions = result.Texts
            .Select(text => Enumerable.Range(0, text.Scores.Count).OrderByDescending(i => text.Scores[i]).ThenBy(i => i)
                .Select(i => new TeiPrediction(text.Scores[i], result.Labels[i])).ToArray())
            .ToArray();
        await (parsed.Batch
            ? context.Response.WriteAsJsonAsync(predictions, ApiJson.Tei, cancellationToken)
            : context.Response.WriteAsJsonAsync(predictions[0], ApiJson.Tei, cancellationToken));
    });

    /// <summary><c>POST /tokenize</c>: token ids and their vocabulary texts, per input.</summary>
    public Task TokenizeAsync(HttpContext context) => TeiAsync(context, async cancellationToken =>
    {
        var parsed = TeiRequestParser.ParseTokenize(await ReadTeiBodyAsync(context, cancellationToken));
        var tokenizer = classifier.Tokenizer ?? throw new ClassifierException(ClassifierErrorKind.ModelUnavailable, "No model is loaded yet; retry shortly.");
        if (parsed.Texts.Count > options.Value.MaxInputsPerRequest)
        {
            HostingThrow.PayloadTooLarge("inputs", $"inputs has {parsed.Texts.Count} items; at most {options.Value.MaxInputsPerRequest} are allowed per request.");
        }

        var tokens = new List<TeiToken[]>(parsed.Texts.Count);
        for (var i = 0; i < parsed.Texts.Count; i++)
        {
            if (TextLimits.Check(parsed.Texts[i], options.Value) is { } problem)
            {
                throw problem.ToException($"inputs[{i}]");
            }

            // No truncation: TEI's /tokenize shows every token; the per-input character limit bounds the work.
            var ids = tokenizer.Encode(parsed.Texts[i], int.MaxValue).Ids;
            tokens.Add([.. (parsed.AddSpecialTokens ? ids : ids[1..^1]).Select(id => new TeiToken(id, tokenizer.TokenText(id), tokenizer.IsSpecial(id), null, null))]);
        }

        await context.Response.WriteAsJsonAsync(tokens, ApiJson.Tei, cancellationToken);
    });

    /// <summary><c>GET /info</c>: TEI's description of the model and the router's limits.</summary>
    public Task InfoAsync(HttpContext context) => TeiAsync(context, cancellationToken =>
    {
        var manifest = classifier.Manifest ?? throw new ClassifierException(ClassifierErrorKind.ModelUnavailable, "No model is loaded yet; retry shortly.");
        var head = manifest.Heads.First(h => h.Name == manifest.DefaultHead);
        var settings = options.Value;
        var info = new Dictionary<string, object?>
        {
            ["model_id"] = manifest.Name,
            ["model_sha"] = manifest.Version,
            ["model_dtype"] = manifest.Encoder.Precision == EncoderPrecision.Int8 ? "int8" : "float32",
            ["model_type"] = new
            {
                classifier = new
                {
                    id2label = head.Labels.Select((label, i) => (label, i)).ToDictionary(p => p.i.ToString(System.Globalization.CultureInfo.InvariantCulture), p => p.label),
                    label2id = head.Labels.Select((label, i) => (label, i)).ToDictionary(p => p.label, p => p.i),
                },
            },
            // Waiting work is bounded in tokens, not requests: this many inputs of the longest length fit in the queue.
            ["max_concurrent_requests"] = Math.Max(1, settings.MaxQueuedTokens / manifest.Tokenizer.MaxLength),
            ["max_input_length"] = manifest.Tokenizer.MaxLength,
            ["max_batch_tokens"] = settings.MaxBatchTokens,
            ["max_batch_requests"] = settings.MaxBatchSize,
            ["max_client_batch_size"] = settings.MaxInputsPerRequest,
            ["auto_truncate"] = false,
            ["tokenization_workers"] = Environment.ProcessorCount,
            ["version"] = Version,
            ["sha"] = null,
            ["docker_label"] = null,
        };
        return context.Response.WriteAsJsonAsync(info, ApiJson.Tei, cancellationToken);
    });

    /// <summary>Runs a TEI handler; every error becomes TEI's body and status (unexpected ones are logged with an id).</summary>
    private async Task TeiAsync(HttpContext context, Func<CancellationToken, Task> handler)
    {
        var cancellationToken = context.RequestAborted;
        try
        {
            await handler(cancellationToken);
        }
        catch (ClassifierException exception)
        {
            Log.HttpRequestFailed(logger, exception.Kind, exception.Field);
            var (status, type) = TeiError(exception);
            // Server-side faults keep their details in the logs, as on the problem-details routes.
            var message = status is StatusCodes.Status424FailedDependency
                ? "The service failed to classify the request; retrying will not help until the model is fixed. The error is logged."
                : exception.Message;
            if (Problems.Map(exception.Kind).RetryAfterSeconds is { } retryAfter)
            {
                context.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            context.Response.StatusCode = status;
            await context.Response.WriteAsJsonAsync(new TeiErrorBody(message, type), ApiJson.Tei, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await WriteUnexpectedAsync(context, exception);
        }
    }

    /// <summary>TEI's statuses: 413 sizes, 422 bad input, 400 empty input, 415 not JSON, 429 overloaded, 424 model errors, 503 not ready.</summary>
    internal static (int Status, string Type) TeiError(ClassifierException exception) => exception.Kind switch
    {
        // The engine reports an over-long input without truncation as invalid input; TEI calls it a size error.
        ClassifierErrorKind.InvalidInput when exception.Rule == InvalidInputRule.TooLong => (StatusCodes.Status413PayloadTooLarge, "Validation"),
        ClassifierErrorKind.InvalidInput when exception.Field == "Content-Type" => (StatusCodes.Status415UnsupportedMediaType, "Validation"),
        ClassifierErrorKind.InvalidInput when exception.Rule == InvalidInputRule.Empty => (StatusCodes.Status400BadRequest, "Empty"),
        ClassifierErrorKind.InvalidInput => (StatusCodes.Status422UnprocessableEntity, "Validation"),
        ClassifierErrorKind.PayloadTooLarge => (StatusCodes.Status413PayloadTooLarge, "Validation"),
        ClassifierErrorKind.Overloaded => (StatusCodes.Status429TooManyRequests, "Overloaded"),
        ClassifierErrorKind.ModelUnavailable => (StatusCodes.Status503ServiceUnavailable, "Unhealthy"),
        _ => (StatusCodes.Status424FailedDependency, "Backend"),
    };

    private async Task<ReadOnlyMemory<byte>> ReadTeiBodyAsync(HttpContext context, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var mediaType)
            || !(mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || mediaType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase)))
        {
            throw new ClassifierException(ClassifierErrorKind.InvalidInput, $"Content-Type is '{context.Request.ContentType}'; send the body as application/json.") { Field = "Content-Type" };
        }

        return await ReadBodyAsync(context.Request, options.Value.MaxRequestBodyBytes, cancellationToken);
    }

    private sealed record TeiPrediction(float Score, string Label);

    private sealed record TeiToken(int Id, string Text, bool Special, int? Start, int? Stop);

    private sealed record TeiErrorBody(string Error, string ErrorType);
}
