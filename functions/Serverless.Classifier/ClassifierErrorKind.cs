namespace Serverless.Classifier;

/// <summary>What went wrong, in the terms an adapter maps to a protocol status (HTTP code, queue disposition).</summary>
public enum ClassifierErrorKind
{
    /// <summary>The request itself is wrong (empty input, unknown head, over-long input without truncation). Retrying cannot help.</summary>
    InvalidInput,

    /// <summary>The request is larger than the configured limits (inputs per request, characters per input).</summary>
    PayloadTooLarge,

    /// <summary>The model package is broken: a hash, name, shape or label count does not match its manifest.</summary>
    ModelInvalid,

    /// <summary>No model is loaded yet, or the model source cannot be reached. Retrying later may help.</summary>
    ModelUnavailable,

    /// <summary>The inference queue is full. Retrying after a short wait may help.</summary>
    Overloaded,

    /// <summary>ONNX Runtime failed while running a loaded, valid model.</summary>
    InferenceFailed,
}
