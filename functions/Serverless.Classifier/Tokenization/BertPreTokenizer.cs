using System.Globalization;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace Serverless.Classifier.Tokenization;

/// <summary>
/// BERT's pre-tokenization: split on whitespace, and make every punctuation character a word of its own.
/// Punctuation is Unicode's P* categories plus all ASCII symbols (<c>$ + &lt; = &gt; ^ ` | ~</c>), as in Hugging Face.
/// </summary>
internal sealed class BertPreTokenizer : PreTokenizer
{
    public static readonly BertPreTokenizer Instance = new();

    public override IEnumerable<(int Offset, int Length)> PreTokenize(string text) => PreTokenize(text.AsSpan());

    public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text)
    {
        var words = new List<(int Offset, int Length)>();
        var start = -1;
        var index = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            var length = rune.Utf16SequenceLength;
            if (Rune.IsWhiteSpace(rune) || IsPunctuation(rune))
            {
                if (start >= 0)
                {
                    words.Add((start, index - start));
                    start = -1;
                }

                if (!Rune.IsWhiteSpace(rune))
                {
                    words.Add((index, length));
                }
            }
            else if (start < 0)
            {
                start = index;
            }

            index += length;
        }

        if (start >= 0)
        {
            words.Add((start, index - start));
        }

        return words;
    }

    internal static bool IsPunctuation(Rune rune)
    {
        var value = rune.Value;
        if (value is (>= 33 and <= 47) or (>= 58 and <= 64) or (>= 91 and <= 96) or (>= 123 and <= 126))
        {
            return true;
        }

        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }
}
