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
    /// <exception cref="ClassifierException">ModelUnavailable: <c>cuda</c> was configured and CUDA cannot load.</exception>
    public string Provider => _provider ??= ChooseProvider();

    /// <summary>The GPU sessions run on (name and memory), when the provider is CUDA and the driver describes it.</summary>
    public string? Device { get; private set; }

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
            EnableCpuMemArena = _options.CpuMemoryArena,
        };
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", _options.AllowSpinning ? "1" : "0");
        if (provider == Cuda)
        {
            sessionOptions.AppendExecutionProvider_CUDA(0);
        }

        return sessionOptions;
    }

    /// <summary>
    /// <c>cpu</c> as configured; <c>cuda</c> when CUDA loads; for <c>auto</c>, CPU with a warning (event 1004) when it
    /// does not. For <c>cuda</c> configured explicitly, a CUDA that cannot load is ModelUnavailable: a GPU replica that
    /// silently ran on its CPU would look healthy while serving at a fraction of the speed it is paid for.
    /// </summary>
    private string ChooseProvider()
    {
        if (_options.ExecutionProvider == Cpu)
        {
            Log.ExecutionProviderSelected(_logger, Cpu, "configured");
            return Cpu;
        }

        string reason;
        if (!OrtEnv.Instance().GetAvailableProviders().Contains("CUDAExecutionProvider"))
        {
            reason = "this build has ONNX Runtime's CPU package, which has no CUDA provider; build the GPU flavor (dotnet publish -p:OnnxRuntimeFlavor=gpu, as functions/Dockerfile.gpu does)";
        }
        else
        {
            try
            {
                // Appending loads the CUDA provider library, which fails when CUDA or cuDNN libraries (or the driver) are missing.
                using var probe = CreateOptions(Cuda);
                Device = CudaDevice.Describe();
                Log.ExecutionProviderSelected(_logger, Cuda, Device is null ? "configured and available" : $"configured and available: {Device}");
                return Cuda;
            }
            catch (Exception exception) when (exception is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
            {
                reason = $"the CUDA provider cannot load ({exception.Message.Trim()}); the image needs the CUDA and cuDNN libraries the ONNX Runtime GPU package links, and a GPU with a driver for them";
            }
        }

        if (_options.ExecutionProvider == Cuda)
        {
            Log.CudaRequiredButUnavailable(_logger, reason);
            ClassifierThrow.ModelUnavailable(
                $"Classifier:ExecutionProvider is 'cuda' but {reason}. Fix the image or the GPU, or set Classifier__ExecutionProvider to 'auto' (CUDA when it loads, else CPU) or 'cpu'.");
        }

        Log.CudaUnavailable(_logger, _options.ExecutionProvider, reason);
        return Cpu;
    }
}
