namespace Serverless.Classifier.Hosting;

/// <summary>
/// A storage setting is missing, malformed or refused. The message is one line that names the setting and the fix;
/// hosts print it alone and stop at start-up.
/// </summary>
public sealed class StorageConfigurationException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public StorageConfigurationException()
    {
    }

    /// <summary>Creates the exception with its one-line message.</summary>
    public StorageConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its one-line message and cause.</summary>
    public StorageConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
