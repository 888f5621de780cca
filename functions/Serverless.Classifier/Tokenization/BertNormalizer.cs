using System.Globalization;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace Serverless.Classifier.Tokenization;

/// <summary>
/// Hugging Face's BERT normalization (Python <c>BasicTokenizer</c>, Rust <c>BertNormalizer</c>) on code points:
/// drop NUL, U+FFFD and control/format/private-use/unassigned characters, turn whitespace into spaces, put spaces
/// around CJK ideographs, lower-case with Unicode's full mapping (final sigma, U+0130), strip accents (NFD, drop Mn).
/// </summary>
/// <remarks>
/// Written here because Microsoft.ML.Tokenizers 2.0.1's <c>BertTokenizer</c> pre-tokenizes with <c>\w+|\p{P}</c>,
/// which drops characters that are neither (ASCII symbols <c>$ + = ` ^ | ~ &lt; &gt;</c>, emoji, currency signs), keeps
/// <c>_</c> inside words (<c>\w</c>), and does not treat ASCII symbols as punctuation as BERT does. Its WordPiece model is
/// exact, so <see cref="WordPieceTextTokenizer"/> keeps it and replaces normalization and pre-tokenization.
/// </remarks>
internal sealed class BertNormalizer : Normalizer
{
    private const int CapitalSigma = 0x03A3;
    private const int CapitalIWithDotAbove = 0x0130;

    private readonly bool _cleanText;
    private readonly bool _tokenizeChineseChars;
    private readonly bool _lowerCase;
    private readonly bool _stripAccents;

    public BertNormalizer(bool cleanText, bool tokenizeChineseChars, bool lowerCase, bool? stripAccents)
    {
        _cleanText = cleanText;
        _tokenizeChineseChars = tokenizeChineseChars;
        _lowerCase = lowerCase;
        // NOTE: as in Hugging Face, stripAccents null means "strip when lower-casing".
        _stripAccents = stripAccents ?? lowerCase;
    }

    public override string Normalize(string original) => Normalize(original.AsSpan());

    public override string Normalize(ReadOnlySpan<char> original)
    {
        var builder = new StringBuilder(original.Length + 16);
        foreach (var rune in original.EnumerateRunes())
        {
            if (_cleanText)
            {
                if (rune.Value is 0 or 0xFFFD || IsControl(rune))
                {
                    continue;
                }

                if (IsWhitespace(rune))
                {
                    builder.Append(' ');
                    continue;
                }
            }

            if (_tokenizeChineseChars && IsChineseChar(rune.Value))
            {
                builder.Append(' ').Append(rune.ToString()).Append(' ');
                continue;
            }

            builder.Append(rune.ToString());
        }

        var text = builder.ToString();
        if (_lowerCase)
        {
            text = LowerCase(text);
        }

        if (_stripAccents)
        {
            text = StripAccents(text);
        }

        return text;
    }

    /// <summary>Python's <c>_is_control</c>: any "C" category (Cc, Cf, Cn, Co, Cs) except tab, newline and carriage return.</summary>
    internal static bool IsControl(Rune rune)
    {
        if (rune.Value is '\t' or '\n' or '\r')
        {
            return false;
        }

        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.OtherNotAssigned or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate;
    }

    /// <summary>Space, tab, newline, carriage return and the space, line and paragraph separators (Zs, Zl, Zp).</summary>
    internal static bool IsWhitespace(Rune rune) =>
        rune.Value is ' ' or '\t' or '\n' or '\r'
        || Rune.GetUnicodeCategory(rune) is UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

    /// <summary>The CJK Unified Ideographs blocks BERT splits (not kana or hangul, which are written with spaces).</summary>
    internal static bool IsChineseChar(int codePoint) =>
        codePoint is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x20000 and <= 0x2A6DF)
            or (>= 0x2A700 and <= 0x2B73F) or (>= 0x2B740 and <= 0x2B81F) or (>= 0x2B820 and <= 0x2CEAF)
            or (>= 0xF900 and <= 0xFAFF) or (>= 0x2F800 and <= 0x2FA1F);

    /// <summary>Full Unicode lower-casing as Python's <c>str.lower()</c> and JavaScript's <c>toLowerCase()</c> do it:
    /// the simple mapping per code point, plus U+0130 to "i̇" and the final-sigma rule.</summary>
    internal static string LowerCase(string text)
    {
        var builder = new StringBuilder(text.Length);
        var index = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case CapitalIWithDotAbove:
                    builder.Append("i\u0307");
                    break;
                case CapitalSigma:
                    builder.Append(IsFinalSigma(text, index) ? 'ς' : 'σ');
                    break;
                default:
                    builder.Append(Rune.ToLowerInvariant(rune).ToString());
                    break;
            }

            index += rune.Utf16SequenceLength;
        }

        return builder.ToString();
    }

    internal static string StripAccents(string text)
    {
        // NFD from our own table, not string.Normalize: ICU is absent in invariant-globalization containers.
        var decomposed = new StringBuilder(text.Length + 8);
        foreach (var rune in text.EnumerateRunes())
        {
            CanonicalDecomposition.Append(rune, decomposed);
        }

        var builder = new StringBuilder(decomposed.Length);
        foreach (var rune in decomposed.ToString().EnumerateRunes())
        {
            if (Rune.GetUnicodeCategory(rune) != UnicodeCategory.NonSpacingMark)
            {
                builder.Append(rune.ToString());
            }
        }

        return builder.ToString();
    }

    // Unicode's Final_Sigma: a cased letter, then any case-ignorable ones, then the sigma, and no cased letter after it
    // (case-ignorable ones skipped).
    private static bool IsFinalSigma(string text, int sigmaIndex)
    {
        var before = sigmaIndex;
        Rune previous = default;
        var foundBefore = false;
        while (before > 0 && Rune.DecodeLastFromUtf16(text.AsSpan(0, before), out previous, out var consumed) == System.Buffers.OperationStatus.Done)
        {
            before -= consumed;
            if (!IsCaseIgnorable(previous))
            {
                foundBefore = true;
                break;
            }
        }

        if (!foundBefore || !IsCased(previous))
        {
            return false;
        }

        var after = sigmaIndex + 1;
        while (after < text.Length && Rune.DecodeFromUtf16(text.AsSpan(after), out var next, out var consumed) == System.Buffers.OperationStatus.Done)
        {
            after += consumed;
            if (!IsCaseIgnorable(next))
            {
                return !IsCased(next);
            }
        }

        return true;
    }

    private static bool IsCased(Rune rune) =>
        Rune.GetUnicodeCategory(rune) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter;

    private static bool IsCaseIgnorable(Rune rune) =>
        Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format
            or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol
        || rune.Value is '\'' or '.' or ':' or 0x00B7 or 0x0387 or 0x05F4 or 0x2018 or 0x2019 or 0x2024 or 0x2027
            or 0xFE13 or 0xFE52 or 0xFE55 or 0xFF07 or 0xFF0E or 0xFF1A;
}
