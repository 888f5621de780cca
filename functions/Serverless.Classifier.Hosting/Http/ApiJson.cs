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
}
