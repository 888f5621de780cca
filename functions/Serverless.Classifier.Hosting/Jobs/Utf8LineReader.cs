using System.Buffers;
using System.Text;

namespace Serverless.Classifier.Hosting.Jobs;

/// <summary>
/// Physical lines of a UTF-8 stream, decoded strictly, one at a time: a line that is not valid UTF-8 comes back with an
/// error (never with U+FFFD in place of the bad bytes), and a line longer than the limit is skipped to its end and
/// reported, so one bad line never costs more than itself and memory stays bounded.
/// </summary>
/// <remarks>StreamReader would decode the whole stream with replacement characters (or throw once for the rest of
/// the input), so lines are split on bytes first and decoded one by one.</remarks>
internal sealed class Utf8LineReader(Stream stream, int maxLineBytes)
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly ArrayBufferWriter<byte> _line = new();
    private int _start;
    private int _end;
    private bool _endOfStream;
    private long _number;

    /// <summary>The next line (without its CR LF or LF), or null at the end of the stream.</summary>
    public async ValueTask<RawLine?> ReadLineAsync(CancellationToken cancellationToken)
    {
        _line.Clear();
        var oversized = false;
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            var take = (newline < 0 ? _end : newline) - _start;
            if (!oversized && _line.WrittenCount + take > maxLineBytes)
            {
                oversized = true;
                _line.Clear();
            }

            if (!oversized)
            {
                _line.Write(_buffer.AsSpan(_start, take));
            }

            if (newline >= 0)
            {
                _start = newline + 1;
                return Finish(oversized);
            }

            _start = _end = 0;
            if (_endOfStream || (_end = await stream.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false)) == 0)
            {
                _endOfStream = true;
                return _line.WrittenCount == 0 && !oversized ? null : Finish(oversized);
            }
        }
    }

    private RawLine Finish(bool oversized)
    {
        var number = ++_number;
        if (oversized)
        {
            return new RawLine(number, null, $"the line is longer than {maxLineBytes} bytes; it was skipped");
        }

        var bytes = _line.WrittenSpan;
        if (bytes.Length > 0 && bytes[^1] == '\r')
        {
            bytes = bytes[..^1];
        }

        if (number == 1 && bytes.StartsWith("\uFEFF"u8))
        {
            bytes = bytes[3..];
        }

        try
        {
            return new RawLine(number, Strict.GetString(bytes), null);
        }
        catch (DecoderFallbackException exception)
        {
            // Rejected, never replaced with U+FFFD: a replacement would classify text the client did not send.
            return new RawLine(number, null, $"the line is not valid UTF-8 (invalid byte sequence at byte {exception.Index + 1}); save the input as UTF-8");
        }
    }
}

/// <summary>One physical line: its 1-based number, and its text or why it has none.</summary>
internal sealed record RawLine(long Number, string? Text, string? Error)
{
    /// <summary>True for a line with text that is empty or only whitespace.</summary>
    public bool IsBlank => Text is not null && string.IsNullOrWhiteSpace(Text);
}
