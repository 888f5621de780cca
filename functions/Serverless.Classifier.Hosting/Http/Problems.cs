using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Serverless.Classifier.Hosting.Http;

/// <summary>
/// RFC 9457 problem details for every error the HTTP API returns; each kind has a stable <c>type</c> URI
/// (listed in README.md). Bodies never carry stack traces or input text.
/// </summary>
internal static class Problems
{
    public const string ContentType = "application/problem+json";
    public const string TypePrefix = "urn:serverless-classifier:problem:";
    public const string UnsupportedMediaType = TypePrefix + "unsupported-media-type";

    /// <summary>The one mapping from error kind to HTTP status, problem type, title and Retry-After seconds.</summary>
    public static (int Status, string Type, string Title, int? RetryAfterSeconds) Map(ClassifierErrorKind kind) => kind switch
    {
        ClassifierErrorKind.InvalidInput => (StatusCodes.Status400BadRequest, TypePrefix + "invalid-input", "The request is invalid.", null),
        ClassifierErrorKind.PayloadTooLarge => (StatusCodes.Status413PayloadTooLarge, TypePrefix + "payload-too-large", "The request is too large.", null),
        ClassifierErrorKind.Overloaded => (StatusCodes.Status429TooManyRequests, TypePrefix + "overloaded", "The classifier is busy.", 1),
        ClassifierErrorKind.ModelUnavailable => (StatusCodes.Status503ServiceUnavailable, TypePrefix + "model-unavailable", "No model is loaded yet.", 10),
        ClassifierErrorKind.ModelInvalid => (StatusCodes.Status500InternalServerError, TypePrefix + "model-invalid", "The model package is invalid.", null),
        _ => (StatusCodes.Status500InternalServerError, TypePrefix + "inference-failed", "Inference failed.", null),
    };

    public static Task WriteAsync(HttpContext context, ClassifierException exception)
    {
        var (status, type, title, retryAfter) = Map(exception.Kind);
        // Server-side faults keep their details in the logs; the client gets what it can act on.
        var detail = status >= 500 && exception.Kind != ClassifierErrorKind.ModelUnavailable
            ? "The service failed to classify the request; retrying will not help until the model is fixed. The error is logged."
            : exception.Message;
        return WriteAsync(context, status, type, title, detail, exception.Field, retryAfter);
    }

    /// <summary>The type of an error nothing else describes (a bug): details are in the log under the error id.</summary>
    public const string InternalError = TypePrefix + "internal-error";

    public static Task WriteUnexpectedAsync(HttpContext context, string errorId) =>
        WriteAsync(
            context,
            StatusCodes.Status500InternalServerError,
            InternalError,
            "Unexpected error.",
            $"The service failed unexpectedly; the error is logged with id {errorId}. Retrying may not help; report the id.",
            extensions: new Dictionary<string, object?> { ["errorId"] = errorId });

    public static Task WriteAsync(
        HttpContext context, int status, string type, string title, string detail, string? field = null, int? retryAfterSeconds = null, IDictionary<string, object?>? extensions = null)
    {
        var problem = new ProblemDetails { Status = status, Type = type, Title = title, Detail = Printable(detail) };
        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>())
        {
            problem.Extensions[key] = value;
        }

        if (field is not null)
        {
            problem.Extensions["field"] = Printable(field);
        }

        context.Response.StatusCode = status;
        if (retryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return context.Response.WriteAsJsonAsync(problem, ApiJson.Options, ContentType, context.RequestAborted);
    }

    /// <summary>
    /// Messages can quote a request's own names (an unknown field); a lone surrogate in one would make the JSON writer
    /// throw, so those are shown as U+FFFD here (only in the message: input text is refused, never replaced).
    /// </summary>
    private static string Printable(string text)
    {
        if (TextLimits.IndexOfLoneSurrogate(text) < 0)
        {
            return text;
        }

        var chars = text.ToCharArray();
        for (var i = TextLimits.IndexOfLoneSurrogate(chars); i >= 0; i = TextLimits.IndexOfLoneSurrogate(chars))
        {
            chars[i] = '\uFFFD';
        }

        return new string(chars);
    }
}
