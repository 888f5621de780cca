namespace ModelExport;

/// <summary>A user-facing failure of a model-export verb: printed without a stack trace, exit code 1.</summary>
internal sealed class ModelExportException : Exception
{
    public ModelExportException(string message)
        : base(message)
    {
    }

    public ModelExportException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
