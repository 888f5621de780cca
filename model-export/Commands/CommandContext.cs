using Microsoft.Extensions.Logging;

namespace ModelExport.Commands;

/// <summary>What a verb reads and writes: standard input/output/error (replaceable in tests) and a logger to stderr.</summary>
internal sealed class CommandContext(TextReader input, TextWriter output, TextWriter error, ILoggerFactory loggerFactory)
{
    public TextReader Input { get; } = input;

    public TextWriter Output { get; } = output;

    public TextWriter Error { get; } = error;

    public ILoggerFactory LoggerFactory { get; } = loggerFactory;

    public ILogger Logger { get; } = loggerFactory.CreateLogger("model-export");

    public void Progress(string message) => Error.WriteLine(message);

    /// <summary>The texts given as arguments, or else the lines of standard input.</summary>
    public IEnumerable<string> Texts(string[]? arguments)
    {
        if (arguments is { Length: > 0 })
        {
            return arguments;
        }

        return ReadLines();

        IEnumerable<string> ReadLines()
        {
            while (Input.ReadLine() is { } line)
            {
                yield return line;
            }
        }
    }
}
