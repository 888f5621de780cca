using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ModelExport.Commands;

/// <summary>JSON for command output: camelCase, compact for JSON Lines, indented for reports.</summary>
internal static class Json
{
    public static readonly JsonSerializerOptions Line = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static readonly JsonSerializerOptions Report = new(Line) { WriteIndented = true };
}
