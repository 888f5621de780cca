using System.Text;
using Microsoft.ML.Tokenizers;
using Serverless.Classifier.Model;

namespace Serverless.Classifier.Tokenization;

/// <summary>
/// Text to BERT token ids with exactly the ids of Hugging Face's BertTokenizer for the same vocabulary and flags:
/// special-token strings in the text are kept whole (as HF does), the rest goes through <see cref="BertNormalizer"/>,
/// <see cref="BertPreTokenizer"/> and Microsoft.ML.Tokenizers' WordPiece model, then [CLS] … [SEP] are added.
/// Immutable and thread-safe.
/// </summary>
public sealed class WordPieceTextTokenizer
{
    private const string ContinuingSubwordPrefix = "##";

    private readonly WordPieceTokenizer _wordPiece;
    private readonly BertNormalizer _normalizer;
    private readonly (string Text, int Id)[] _specialTokens;
    private readonly int _maxInputCharsPerWord;
    private readonly bool _cleanText;
    private readonly string[] _tokenTexts;

    private WordPieceTextTokenizer(WordPieceTokenizer wordPiece, BertNormalizer normalizer, (string Text, int Id)[] specialTokens, TokenizerManifest settings, IReadOnlyDictionary<string, int> vocabulary)
    {
        _wordPiece = wordPiece;
        _normalizer = normalizer;
        _specialTokens = specialTokens;
        _maxInputCharsPerWord = settings.MaxInputCharsPerWord;
        _cleanText = settings.CleanText;
        MaxLength = settings.MaxLength;
        ClsId = vocabulary[settings.SpecialTokens.Cls];
        SepId = vocabulary[settings.SpecialTokens.Sep];
        PadId = vocabulary[settings.SpecialTokens.Pad];
        UnknownId = vocabulary[settings.SpecialTokens.Unk];
        VocabularySize = vocabulary.Count;
        _tokenTexts = new string[vocabulary.Values.Max() + 1];
        foreach (var (token, id) in vocabulary)
        {
            _tokenTexts[id] = token;
        }
    }

    /// <summary>Maximum ids per input, [CLS] and [SEP] included.</summary>
    public int MaxLength { get; }

    /// <summary>The id of [CLS] (first of every input).</summary>
    public int ClsId { get; }

    /// <summary>The id of [SEP] (last of every input).</summary>
    public int SepId { get; }

    /// <summary>The id of [PAD].</summary>
    public int PadId { get; }

    /// <summary>The id of [UNK].</summary>
    public int UnknownId { get; }

    /// <summary>Tokens in the vocabulary.</summary>
    public int VocabularySize { get; }

    /// <summary>The vocabulary's text of a token id, such as <c>[CLS]</c>, <c>play</c> or <c>##ing</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The id is not in the vocabulary.</exception>
    public string TokenText(int id) =>
        (uint)id < (uint)_tokenTexts.Length && _tokenTexts[id] is { } text ? text : throw new ArgumentOutOfRangeException(nameof(id), id, "The id is not in the vocabulary.");

    /// <summary>True for the special tokens ([CLS], [SEP], [PAD], [UNK], [MASK] as the manifest names them).</summary>
    public bool IsSpecial(int id) => _specialTokens.Any(t => t.Id == id);

    /// <summary>Opens a package's vocabulary after checking it against the manifest's tokenizer section (file and hash).</summary>
    /// <param name="directory">The package folder.</param>
    /// <param name="settings">The manifest's tokenizer section.</param>
    /// <param name="cancellationToken">Stops the hash check.</param>
    /// <exception cref="ClassifierException">ModelInvalid: the vocabulary is missing or does not match its hash.</exception>
    public static Task<WordPieceTextTokenizer> OpenAsync(string directory, TokenizerManifest settings, CancellationToken cancellationToken) =>
        OpenAsync(directory, settings, verifyHash: true, cancellationToken);

    internal static async Task<WordPieceTextTokenizer> OpenAsync(string directory, TokenizerManifest settings, bool verifyHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await PackageFiles.VerifyAsync(directory, settings.File, verifyHash ? settings.Sha256 : null, cancellationToken).ConfigureAwait(false);
        await using var vocabulary = File.OpenRead(Path.Combine(directory, settings.File));
        return Create(vocabulary, settings, settings.File);
    }

    /// <summary>Loads a vocabulary (one token per line, id = line number) and checks the special tokens are in it.</summary>
    /// <param name="vocabulary">UTF-8 vocabulary; read to the end, not disposed.</param>
    /// <param name="settings">The manifest's tokenizer section.</param>
    /// <param name="source">The vocabulary's name for error messages.</param>
    public static WordPieceTextTokenizer Create(Stream vocabulary, TokenizerManifest settings, string source)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(settings);

        using var buffer = new MemoryStream();
        vocabulary.CopyTo(buffer);
        var tokens = ReadVocabulary(buffer.ToArray(), source);

        var special = settings.SpecialTokens;
        foreach (var (role, token) in new[] { ("cls", special.Cls), ("sep", special.Sep), ("pad", special.Pad), ("unk", special.Unk), ("mask", special.Mask) })
        {
            if (!tokens.ContainsKey(token))
            {
                ClassifierThrow.ModelInvalid(
                    $"'{source}' has no line '{token}', which the manifest names as tokenizer.specialTokens.{role}; " +
                    "use the vocabulary the encoder was trained with, or correct the manifest's special tokens.");
            }
        }

        var specialTokens = new[] { special.Cls, special.Sep, special.Pad, special.Unk, special.Mask }
            .Distinct(StringComparer.Ordinal)
            .Select(token => (token, tokens[token]))
            .ToArray();
        var normalizer = new BertNormalizer(settings.CleanText, settings.TokenizeChineseChars, settings.DoLowerCase, settings.StripAccents);

        buffer.Position = 0;
        var wordPiece = WordPieceTokenizer.Create(buffer, new WordPieceOptions
        {
            UnknownToken = special.Unk,
            ContinuingSubwordPrefix = ContinuingSubwordPrefix,
            // NOTE: ML.Tokenizers compares UTF-16 length with this limit; Hugging Face counts code points. We check code
            // points ourselves and give it a bound no word under our limit can reach.
            MaxInputCharsPerWord = settings.MaxInputCharsPerWord * 2,
            Normalizer = normalizer,
            PreTokenizer = BertPreTokenizer.Instance,
        });
        return new WordPieceTextTokenizer(wordPiece, normalizer, specialTokens, settings, tokens);
    }

    /// <summary>
    /// Tokenizes one text. Word pieces beyond <see cref="MaxLength"/> - 2 are cut (and tokenization stops early);
    /// <see cref="EncodedText.Truncated"/> tells whether that happened.
    /// </summary>
    public EncodedText Encode(string text) => Encode(text, MaxLength);

    /// <summary>
    /// Tokenizes one text keeping at most <paramref name="maxLength"/> - 2 word pieces: the first ones
    /// (<see cref="TruncationDirection.Right"/>) or the last ones (<see cref="TruncationDirection.Left"/>); [CLS] stays
    /// first and [SEP] last either way.
    /// </summary>
    public EncodedText Encode(string text, int maxLength, TruncationDirection direction)
    {
        if (direction == TruncationDirection.Right)
        {
            return Encode(text, maxLength);
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 2);
        // Keeping the end needs every piece first; inputs are bounded by the per-text character limit.
        var all = Encode(text, int.MaxValue).Ids;
        var budget = maxLength - 2;
        if (all.Length - 2 <= budget)
        {
            return new EncodedText(all, Truncated: false);
        }

        var ids = new int[maxLength];
        ids[0] = ClsId;
        Array.Copy(all, all.Length - 1 - budget, ids, 1, budget);
        ids[^1] = SepId;
        return new EncodedText(ids, Truncated: true);
    }

    /// <summary>Tokenizes one text, cutting word pieces beyond <paramref name="maxLength"/> - 2.</summary>
    public EncodedText Encode(string text, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 2);

        var budget = maxLength - 2;
        var ids = new List<int>((int)Math.Min(text.Length / 3L + 2, maxLength)) { ClsId };
        var truncated = false;
        var segmentStart = 0;
        while (segmentStart <= text.Length && !truncated)
        {
            var (specialIndex, specialToken) = FindSpecialToken(text, segmentStart);
            var segmentEnd = specialIndex < 0 ? text.Length : specialIndex;
            truncated = AppendWordPieces(text.AsSpan(segmentStart, segmentEnd - segmentStart), ids, budget);
            if (specialIndex < 0)
            {
                break;
            }

            if (!truncated)
            {
                truncated = !TryAdd(ids, specialToken.Id, budget);
            }

            segmentStart = specialIndex + specialToken.Text.Length;
        }

        ids.Add(SepId);
        return new EncodedText([.. ids], truncated);
    }

    /// <summary>
    /// Tokenizes a text pair as Hugging Face's BERT template does: <c>[CLS] first [SEP] second [SEP]</c>, token type 0
    /// up to the first [SEP] and 1 after it. When the pair is longer than <paramref name="maxLength"/>, word pieces are
    /// cut with Hugging Face's <c>longest_first</c> (Rust tokenizers, <c>truncate_encodings</c>): only the longer side
    /// while the shorter fits in half, else both to half of the budget, the longer keeping the odd piece; each side
    /// keeps its start (<see cref="TruncationDirection.Right"/>) or its end.
    /// </summary>
    internal EncodedPair EncodePair(string first, string second, int maxLength, TruncationDirection direction)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 3);
        var a = Encode(first, int.MaxValue).Ids;
        var b = Encode(second, int.MaxValue).Ids;
        var (n1, n2) = (a.Length - 2, b.Length - 2);
        var (keep1, keep2) = LongestFirst(n1, n2, maxLength - 3);
        var ids = new int[keep1 + keep2 + 3];
        ids[0] = ClsId;
        Array.Copy(a, direction == TruncationDirection.Right ? 1 : 1 + n1 - keep1, ids, 1, keep1);
        ids[keep1 + 1] = SepId;
        Array.Copy(b, direction == TruncationDirection.Right ? 1 : 1 + n2 - keep2, ids, keep1 + 2, keep2);
        ids[^1] = SepId;
        return new EncodedPair(ids, keep1 + 2, keep1 < n1 || keep2 < n2);
    }

    /// <summary>How many word pieces of each side of a pair <c>longest_first</c> keeps within <paramref name="budget"/>.</summary>
    internal static (int First, int Second) LongestFirst(int first, int second, int budget)
    {
        if (first + second <= budget)
        {
            return (first, second);
        }

        var swapped = first > second;
        var (shorter, longer) = swapped ? (second, first) : (first, second);
        longer = shorter > budget ? shorter : Math.Max(shorter, budget - shorter);
        if (shorter + longer > budget)
        {
            shorter = budget / 2;
            longer = shorter + (budget % 2);
        }

        return swapped ? (longer, shorter) : (shorter, longer);
    }

    /// <summary>
    /// Every word piece of a text, uncut and without [CLS] and [SEP], each with the character span of the
    /// whitespace-delimited word it came from: the pieces of <c>Encode(text, int.MaxValue)</c> between [CLS] and [SEP],
    /// with offsets into the text as received (normalization changes lengths, so pieces do not map to characters).
    /// </summary>
    /// <remarks>Each word is tokenized alone. That gives the pieces of the whole text because nothing BERT does crosses
    /// whitespace that survives normalization: pre-tokenization splits there, and the final-sigma rule stops there.
    /// Whitespace that cleaning drops (vertical tab, U+0085) does not delimit words here either.</remarks>
    internal WordPieceSpans EncodeWithSpans(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 4 + 1);
        var spans = new List<(int Start, int End)>(text.Length / 4 + 1);
        var index = 0;
        while (index < text.Length)
        {
            var start = index;
            while (start < text.Length && IsWordSeparator(text, start, out var length))
            {
                start += length;
            }

            var end = start;
            while (end < text.Length && !IsWordSeparator(text, end, out var length))
            {
                end += length;
            }

            if (end > start)
            {
                var pieces = Encode(text[start..end], int.MaxValue).Ids;
                for (var k = 1; k < pieces.Length - 1; k++)
                {
                    ids.Add(pieces[k]);
                    spans.Add((start, end));
                }
            }

            index = end;
        }

        return new WordPieceSpans([.. ids], [.. spans]);
    }

    private bool IsWordSeparator(string text, int index, out int length)
    {
        if (Rune.DecodeFromUtf16(text.AsSpan(index), out var rune, out length) != System.Buffers.OperationStatus.Done)
        {
            length = 1;
            return false;
        }

        return Rune.IsWhiteSpace(rune) && !(_cleanText && BertNormalizer.IsControl(rune));
    }

    private bool AppendWordPieces(ReadOnlySpan<char> segment, List<int> ids, int budget)
    {
        if (segment.IsEmpty)
        {
            return false;
        }

        var normalized = _normalizer.Normalize(segment);
        foreach (var (offset, length) in BertPreTokenizer.Instance.PreTokenize(normalized))
        {
            var word = normalized.AsSpan(offset, length);
            if (CountCodePoints(word) > _maxInputCharsPerWord)
            {
                if (!TryAdd(ids, UnknownId, budget))
                {
                    return true;
                }

                continue;
            }

            foreach (var id in _wordPiece.EncodeToIds(word, considerPreTokenization: false, considerNormalization: false))
            {
                if (!TryAdd(ids, id, budget))
                {
                    return true;
                }
            }
        }

        return false;
    }

    // ids holds [CLS] plus the word pieces so far; returns false when the piece does not fit.
    private static bool TryAdd(List<int> ids, int id, int budget)
    {
        if (ids.Count - 1 >= budget)
        {
            return false;
        }

        ids.Add(id);
        return true;
    }

    private (int Index, (string Text, int Id) Token) FindSpecialToken(string text, int start)
    {
        var best = (Index: -1, Token: (Text: string.Empty, Id: 0));
        foreach (var token in _specialTokens)
        {
            var index = text.IndexOf(token.Text, start, StringComparison.Ordinal);
            if (index >= 0 && (best.Index < 0 || index < best.Index || (index == best.Index && token.Text.Length > best.Token.Text.Length)))
            {
                best = (index, token);
            }
        }

        return best;
    }

    private static int CountCodePoints(ReadOnlySpan<char> word)
    {
        var count = 0;
        foreach (var _ in word.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    private static Dictionary<string, int> ReadVocabulary(byte[] utf8, string source)
    {
        var tokens = new Dictionary<string, int>(StringComparer.Ordinal);
        using var reader = new StreamReader(new MemoryStream(utf8), Encoding.UTF8);
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0 && !tokens.TryAdd(line, lineNumber))
            {
                ClassifierThrow.ModelInvalid(
                    $"'{source}' lists token '{line}' twice (lines {tokens[line] + 1} and {lineNumber + 1}); a WordPiece vocabulary has one token per id.");
            }

            lineNumber++;
        }

        if (tokens.Count == 0)
        {
            ClassifierThrow.ModelInvalid($"'{source}' holds no tokens; expected a WordPiece vocabulary, one token per line.");
        }

        return tokens;
    }
}
