using System.Text.Json;
using System.Text.Json.Serialization;

namespace ModelExport.Jobs;

/// <summary>
/// The batch job message, as docs/architecture.md ("Contract: batch jobs") defines it: camelCase JSON, unset fields
/// left out. The service parses it with its own strict parser (ClassifyJobMessage); a test feeds it what this writes.
/// </summary>
internal sealed record JobMessage(
    string Input,
    string Output,
    string? Head = null,
    string? Format = null,
    string? IdField = null,
    string? TextField = null,
    string? JobId = null,
    string? TruncationDirection = null,
    string? PairField = null,
    bool? Chunking = null,
    int? ChunkSize = null,
    int? ChunkStride = null,
    string? ChunkAggregate = null)
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public string ToJson() => JsonSerializer.Serialize(this, Options);
}
