using System.Reflection;
using System.Text.RegularExpressions;

namespace Serverless.Classifier.Functions.Tests;

/// <summary>
/// The GPU image installs exactly the CUDA libraries that ONNX Runtime's CUDA provider links, at the CUDA major version
/// it links: read from the NEEDED entries of libonnxruntime_providers_cuda.so in the restored GPU package, so bumping
/// ONNX Runtime to another CUDA major fails here until functions/Dockerfile.gpu follows.
/// </summary>
public sealed partial class GpuImageTests
{
    private static string ProviderLibrary => Path.Combine(
        typeof(GpuImageTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "OnnxRuntimeGpuPackage").Value!,
        "runtimes", "linux-x64", "native", "libonnxruntime_providers_cuda.so");

    private static string Dockerfile => File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "functions", "Dockerfile.gpu"));

    [Fact]
    public void CudaProvider_LinksCudaLibrariesOfOneMajorVersion()
    {
        Assert.True(File.Exists(ProviderLibrary), $"'{ProviderLibrary}' is missing; restore tests/Serverless.Classifier.Functions.Tests (it downloads the GPU package).");

        var cuda = CudaLibraries(ElfDependencies.Read(ProviderLibrary));

        Assert.Contains(cuda, l => l.Name == "libcudart");
        Assert.Contains(("libcuda", 1), cuda);
        // Where binutils is installed, the parser agrees with readelf.
        if (ReadElf(ProviderLibrary) is { } readelf)
        {
            Assert.Equal(readelf, ElfDependencies.Read(ProviderLibrary));
        }
        Assert.Single(cuda.Where(l => l.Name is "libcudart" or "libcublas" or "libcublasLt").Select(l => l.Major).Distinct());
    }

    [Fact]
    public void GpuDockerfile_InstallsAPackageForEveryLinkedCudaLibraryAtItsMajorVersion_AndNothingElseOfCuda()
    {
        var cuda = CudaLibraries(ElfDependencies.Read(ProviderLibrary));
        var major = cuda.Single(l => l.Name == "libcudart").Major;
        var version = CudaVersionArgument().Match(Dockerfile);
        Assert.True(version.Success, "functions/Dockerfile.gpu has no ARG CUDA_VERSION=<major>-<minor>");
        Assert.Equal(major, int.Parse(version.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));

        // Shared library (soname stem) -> the NVIDIA apt package that ships it; cuDNN 9 is loaded at run time, not linked.
        // libcuda.so.1 is the driver's: the host (Container Apps serverless GPU) mounts it, the image must not ship it.
        var expected = cuda.Where(l => l.Name != "libcuda").Select(l => l.Name switch
        {
            "libcudart" => "cuda-cudart-${CUDA_VERSION}",
            "libcublas" or "libcublasLt" => "libcublas-${CUDA_VERSION}",
            "libcurand" => "libcurand-${CUDA_VERSION}",
            "libcufft" => "libcufft-${CUDA_VERSION}",
            _ => throw new Xunit.Sdk.XunitException($"The CUDA provider links {l.Name}.so.{l.Major}, which this test maps to no package; add the package to functions/Dockerfile.gpu and here."),
        }).Append($"libcudnn9-cuda-{major}").Distinct().Order(StringComparer.Ordinal);
        var installed = AptPackage().Matches(Dockerfile).Select(m => m.Value).Distinct().Order(StringComparer.Ordinal);

        Assert.Equal(expected, installed);
    }

    private static List<string>? ReadElf(string path)
    {
        var start = new System.Diagnostics.ProcessStartInfo("readelf") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-d");
        start.ArgumentList.Add(path);
        try
        {
            using var process = System.Diagnostics.Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? [.. ReadElfNeeded().Matches(output).Select(m => m.Groups[1].Value)] : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // No readelf here.
        }
    }

    [GeneratedRegex(@"\(NEEDED\)\s+Shared library: \[([^\]]+)\]")]
    private static partial Regex ReadElfNeeded();

    private static List<(string Name, int Major)> CudaLibraries(IReadOnlyList<string> needed) =>
        [.. needed.Select(n => SharedLibrary().Match(n)).Where(m => m.Success && (m.Groups[1].Value.StartsWith("libcu", StringComparison.Ordinal) || m.Groups[1].Value.StartsWith("libnv", StringComparison.Ordinal)))
            .Select(m => (m.Groups[1].Value, int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)))];

    [GeneratedRegex(@"^(lib[A-Za-z0-9_]+)\.so\.(\d+)$")]
    private static partial Regex SharedLibrary();

    [GeneratedRegex(@"ARG CUDA_VERSION=(\d+)-\d+")]
    private static partial Regex CudaVersionArgument();

    // The CUDA and cuDNN packages of the apt-get install line.
    [GeneratedRegex(@"\b(?:cuda-cudart|libcublas|libcurand|libcufft|libcusparse|libcusolver|libnvjitlink|libcudnn\d+)-[A-Za-z0-9${}_-]+")]
    private static partial Regex AptPackage();
}
