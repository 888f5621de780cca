using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace Serverless.Classifier.Tokenization;

/// <summary>
/// Unicode canonical decomposition (NFD) per code point, from a table in this assembly instead of the process's ICU.
/// </summary>
/// <remarks>
/// <c>string.Normalize</c> comes from ICU, and with <c>DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1</c> (set by many slim and
/// chiseled .NET container images) it leaves text unchanged: accents were no longer stripped and 195 of the 3,000
/// golden sentences got other ids. The table (<see cref="CanonicalDecompositionData"/>) was generated from ICU's NFD of
/// every code point and is checked against it by CanonicalDecompositionTests, which can also regenerate it. Hangul
/// syllables decompose by Unicode's arithmetic (section 3.12). Decomposing code point by code point skips the canonical
/// reordering of combining marks across code points; the tokenizer drops every nonspacing mark right after, so the
/// order of the marks it keeps could differ only for spacing marks with a combining class (a handful of musical
/// symbols), which BERT vocabularies do not hold.
/// </remarks>
internal static class CanonicalDecomposition
{
    private const int HangulBase = 0xAC00;
    private const int HangulCount = 11_172;
    private const int LeadBase = 0x1100;
    private const int VowelBase = 0x1161;
    private const int TrailBase = 0x11A7;
    private const int VowelCount = 21;
    private const int TrailCount = 28;

    private static readonly FrozenDictionary<int, string> Table = Parse(CanonicalDecompositionData.Entries);

    /// <summary>Appends the canonical decomposition of <paramref name="rune"/> (itself when it has none).</summary>
    public static void Append(Rune rune, StringBuilder builder)
    {
        var value = rune.Value;
        if (value is >= HangulBase and < HangulBase + HangulCount)
        {
            var index = value - HangulBase;
            builder.Append((char)(LeadBase + (index / (VowelCount * TrailCount))));
            builder.Append((char)(VowelBase + (index % (VowelCount * TrailCount) / TrailCount)));
            if (index % TrailCount != 0)
            {
                builder.Append((char)(TrailBase + (index % TrailCount)));
            }

            return;
        }

        if (Table.TryGetValue(value, out var decomposed))
        {
            builder.Append(decomposed);
        }
        else
        {
            builder.Append(rune.ToString());
        }
    }

    /// <summary>Whether <paramref name="value"/> is a Hangul syllable (decomposed arithmetically, not in the table).</summary>
    internal static bool IsHangulSyllable(int value) => value is >= HangulBase and < HangulBase + HangulCount;

    /// <summary>The table's entries: code point to its full decomposition.</summary>
    internal static IReadOnlyDictionary<int, string> Entries => Table;

    // Format: "XXXX=YYYY YYYY;" per entry, hexadecimal code points.
    private static FrozenDictionary<int, string> Parse(string data)
    {
        var table = new Dictionary<int, string>();
        foreach (var entry in data.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            var builder = new StringBuilder();
            foreach (var part in entry[(equals + 1)..].Split(' '))
            {
                builder.Append(char.ConvertFromUtf32(int.Parse(part, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
            }

            table.Add(int.Parse(entry.AsSpan(0, equals), NumberStyles.HexNumber, CultureInfo.InvariantCulture), builder.ToString());
        }

        return table.ToFrozenDictionary();
    }
}
