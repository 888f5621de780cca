namespace Serverless.Classifier.Testing;

/// <summary>A writable copy of the default model package in a temporary folder (the encoder linked, not copied), deleted on dispose.</summary>
public sealed class TemporaryPackage : IDisposable
{
    private TemporaryPackage(string directory)
    {
        Directory = directory;
    }

    public string Directory { get; }

    public static TemporaryPackage CopyOfDefaultModel()
    {
        var directory = Path.Combine(Path.GetTempPath(), "classifier-test-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "heads"));
        File.CreateSymbolicLink(Path.Combine(directory, "encoder.onnx"), Path.Combine(TestPaths.DefaultModel, "encoder.onnx"));
        foreach (var file in new[] { "vocab.txt", "manifest.json", "heads/sentiment.onnx" })
        {
            File.Copy(Path.Combine(TestPaths.DefaultModel, file), Path.Combine(directory, file));
        }

        return new TemporaryPackage(directory);
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
