using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using Serverless.Classifier.Diagnostics;

namespace Serverless.Classifier.Inference;

/// <summary>Creates ONNX Runtime sessions with the configured threads, spinning and execution provider.</summary>
internal sealed class OnnxSessionFactory
{
    public const string Cpu = "cpu";
    public const string Cuda = "cuda";

    private readonly ClassifierOptions _options;
    private readonly ILogger _logger;
    private string? _provider;

    public OnnxSessionFactory(ClassifierOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
    }

    /// <summary>The provider sessions run on: <c>cuda</c> when it was asked for and could be appended, else <c>cpu</c>.</summary>
    public string Provider => _provider ??= ChooseProvider();

    /// <summary>Opens a session over an ONNX file; a file ONNX Runtime cannot load is a <see cref="ClassifierErrorKind.ModelInvalid"/>.</summary>
    public InferenceSession Create(string path, string role)
    {
        using var sessionOptions = CreateOptions(Provider);
        try
        {
            return new InferenceSession(path, sessionOptions);
        }
        catch (OnnxRuntimeException exception)
        {
            throw new ClassifierException(
                ClassifierErrorKind.ModelInvalid,
                $"ONNX Runtime cannot load the {role} '{Path.GetFileName(path)}': {exception.Message} Re-export it with model-export.",
                exception);
        }
    }

    private SessionOptions CreateOptions(string provider)
    {
        var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = _options.IntraOpThreads,
            InterOpNumThreads = 1,
        };
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", _options.AllowSpinning ? "1" : "0");
        if (provider == Cuda)
        {
            sessionOptions.AppendExecutionProvider_CUDA(0);
        }

        return sessionOptions;
    }

    private string ChooseProvider()
    {
        if (_options.ExecutionProvider == Cpu)
        {
            Log.ExecutionProviderSelected(_logger, Cpu, "configured");
            return Cpu;
        }

        try
        {
            // Appending fails when the package has no CUDA provider (the CPU build) or CUDA/cuDNN libraries are missing.
            using var probe = CreateOptions(Cuda);
            Log.ExecutionProviderSelected(_logger, Cuda, "configured and available");
            return Cuda;
        }
        catch (Exception exception) when (exception is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            Log.CudaUnavailable(_logger, _options.ExecutionProvider, exception.Message);
            return Cpu;
        }
    }
}
