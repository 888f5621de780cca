using System.Runtime.InteropServices;
using System.Text;

namespace Serverless.Classifier.Inference;

/// <summary>
/// Names the GPU for /api/models and the logs, through the CUDA driver API (libcuda.so.1, which the host's driver
/// provides): device 0's name and total memory. Null when the driver is absent or answers an error. ONNX Runtime has no
/// API for this. Not verified on a GPU in CI (none there): every call is checked and any failure gives null.
/// </summary>
internal static partial class CudaDevice
{
    private const string Driver = "libcuda.so.1";

    public static string? Describe()
    {
        if (!NativeLibrary.TryLoad(Driver, out _))
        {
            return null;
        }

        try
        {
            if (cuInit(0) != 0 || cuDeviceGet(out var device, 0) != 0)
            {
                return null;
            }

            var name = new byte[256];
            if (cuDeviceGetName(name, name.Length, device) != 0 || cuDeviceTotalMem_v2(out var bytes, device) != 0)
            {
                return null;
            }

            var text = Encoding.ASCII.GetString(name, 0, Math.Max(0, Array.IndexOf(name, (byte)0)));
            return $"{text}, {bytes / (1024.0 * 1024 * 1024):F1} GiB";
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    [LibraryImport(Driver)]
    private static partial int cuInit(uint flags);

    [LibraryImport(Driver)]
    private static partial int cuDeviceGet(out int device, int ordinal);

    [LibraryImport(Driver)]
    private static partial int cuDeviceGetName([Out] byte[] name, int length, int device);

    [LibraryImport(Driver)]
    private static partial int cuDeviceTotalMem_v2(out nuint bytes, int device);
}
