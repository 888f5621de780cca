using System.ComponentModel.DataAnnotations;

namespace Serverless.Classifier;

/// <summary>Settings of the classifier (configuration section <c>Classifier</c>, app settings <c>Classifier__*</c>).</summary>
public sealed class ClassifierOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Classifier";

    /// <summary>A model package folder on disk. When set, the package is read from there rather than from blob storage.</summary>
    public string? ModelPath { get; set; }

    /// <summary>Blob container that holds model packages.</summary>
    [Required]
    public string ModelContainer { get; set; } = "models";

    /// <summary>The model's name: its packages live under <c>&lt;ModelContainer&gt;/&lt;ModelName&gt;/</c>.</summary>
    public string? ModelName { get; set; }

    /// <summary>Pins a package version; when unset, <c>latest.json</c> names the version to serve.</summary>
    public string? ModelVersion { get; set; }

    /// <summary><c>cpu</c>, <c>cuda</c> (CUDA, falling back to CPU with a logged reason when unavailable) or <c>auto</c>.</summary>
    [RegularExpression("^(cpu|cuda|auto)$", ErrorMessage = "Classifier:ExecutionProvider must be 'cpu', 'cuda' or 'auto'.")]
    public string ExecutionProvider { get; set; } = "cpu";

    /// <summary>Local folder for downloaded model packages (default: the temp folder).</summary>
    public string? CachePath { get; set; }

    /// <summary>The storage connection that holds model packages and batch blobs (falls back to AzureWebJobsStorage).</summary>
    public string StorageConnection { get; set; } = "ClassifierStorage";

    /// <summary>Seconds between checks of latest.json for a new version; 0 turns polling off.</summary>
    [Range(0, 86_400)]
    public int ModelRefreshSeconds { get; set; } = 30;

    /// <summary>Bytes per HTTP request body.</summary>
    [Range(1, 1_073_741_824)]
    public int MaxRequestBodyBytes { get; set; } = 1_048_576;

    /// <summary>ONNX Runtime intra-op threads per session (the machine's cores is a good start; measured on 2 cores).</summary>
    [Range(1, 256)]
    public int IntraOpThreads { get; set; } = 2;

    /// <summary>Let ONNX Runtime threads spin while idle. Off by default: with other busy processes on the same
    /// cores, spinning threads ran 2-3x slower; on a quiet machine turning it off cost nothing.</summary>
    public bool AllowSpinning { get; set; }

    /// <summary>Let ONNX Runtime keep freed CPU buffers in its arena for reuse. The arena grows to the largest mix of
    /// shapes it has seen and never shrinks; see docs/benchmarks.md for the memory and speed of each setting.</summary>
    public bool CpuMemoryArena { get; set; } = true;

    /// <summary>Upper bound of a batch in tokens (rows x padded length). Inputs are sorted by length and packed under it.</summary>
    [Range(1, 1_000_000)]
    public int MaxBatchTokens { get; set; } = 4096;

    /// <summary>Upper bound of a batch in rows.</summary>
    [Range(1, 4096)]
    public int MaxBatchSize { get; set; } = 32;

    /// <summary>Milliseconds a request that finds the encoder idle waits for other requests to share its batch (rows
    /// of every waiting request are packed together by length). 0 turns merging across requests off.</summary>
    [Range(0, 1_000)]
    public int MaxBatchWaitMs { get; set; } = 2;

    /// <summary>Tokens of interactive (HTTP) work that may wait for the encoder before more is refused as overloaded
    /// (429); batch jobs wait without bound instead. 65,536 tokens are a few seconds of work on 2 cores.</summary>
    [Range(0, 100_000_000)]
    public int MaxQueuedTokens { get; set; } = 65_536;

    /// <summary>Inputs per request.</summary>
    [Range(1, 100_000)]
    public int MaxInputsPerRequest { get; set; } = 256;

    /// <summary>Characters (UTF-16 code units) per input.</summary>
    [Range(1, 10_000_000)]
    public int MaxCharsPerInput { get; set; } = 20_000;

    /// <summary>Characters (UTF-16 code units) per input when the request asks for chunking (it replaces
    /// <see cref="MaxCharsPerInput"/> there).</summary>
    [Range(1, 10_000_000)]
    public int MaxCharsPerChunkedInput { get; set; } = 200_000;

    /// <summary>Windows one chunked input may be split into; an input that needs more is refused (413). Every window is a
    /// row of the encoder, counted in <see cref="MaxQueuedTokens"/> like any other.</summary>
    [Range(1, 100_000)]
    public int MaxChunksPerInput { get; set; } = 64;
}
