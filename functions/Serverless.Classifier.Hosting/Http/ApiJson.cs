using System.Text.Encodings.Web;
using System.Text.Json;

namespace Serverless.Classifier.Hosting.Http;

/// <summary>JSON of the HTTP API: camelCase, labels written as they are (no escaping of non-ASCII).</summary>
internal static class ApiJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The Text Embeddings Inference-compatible routes: snake_case, as TEI writes (<c>error_type</c>).</summary>
    public static readonly JsonSerializerOptions Tei = new(Options) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}
