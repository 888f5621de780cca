namespace Serverless.Classifier.Tokenization;

/// <summary>Token ids of one input, [CLS] first and [SEP] last, and whether word pieces were cut to fit the maximum length.</summary>
public readonly record struct EncodedText(int[] Ids, bool Truncated);

/// <summary>A text pair's ids, <c>[CLS] first [SEP] second [SEP]</c>: token type 1 from <paramref name="SecondStart"/> on.</summary>
internal readonly record struct EncodedPair(int[] Ids, int SecondStart, bool Truncated)
{
    /// <summary>Token types: 0 for [CLS], the first text and its [SEP]; 1 for the second text and the last [SEP].</summary>
    public int[] TypeIds
    {
        get
        {
            var types = new int[Ids.Length];
            types.AsSpan(SecondStart).Fill(1);
            return types;
        }
    }
}

/// <summary>
/// Rows as the inference scheduler carries them: token ids, where the ids of a pair's second segment (token type 1) are
/// stored complemented (<c>~id</c>, always negative). A row's token types thus travel with it through the scheduler,
/// which merges rows of many requests into one batch, and the encoder session reads them back per row.
/// </summary>
internal static class TokenRows
{
    /// <summary>The row of a pair: its ids, complemented from the second segment on.</summary>
    public static int[] Of(EncodedPair pair)
    {
        var row = (int[])pair.Ids.Clone();
        for (var i = pair.SecondStart; i < row.Length; i++)
        {
            row[i] = ~row[i];
        }

        return row;
    }

    /// <summary>A row value's token id and token type.</summary>
    public static (int Id, int Type) Read(int value) => value < 0 ? (~value, 1) : (value, 0);
}

/// <summary>The word pieces of a whole text and, per piece, the character span of the word it belongs to.</summary>
internal readonly record struct WordPieceSpans(int[] Ids, (int Start, int End)[] Spans);

/// <summary>
/// Overlapping windows over a text's word pieces: <c>width</c> pieces each (the model's maximum length less [CLS] and
/// [SEP]), consecutive windows sharing <c>overlap</c>. The last window ends at the last piece, so every window of a long
/// text is full; a text that fits is one window.
/// </summary>
internal static class TextWindows
{
    public static int Count(int pieces, int width, int overlap)
    {
        var step = width - overlap;
        return pieces <= width ? 1 : 1 + ((pieces - width + step - 1) / step);
    }

    public static int Start(int window, int pieces, int width, int overlap) => Math.Min(window * (width - overlap), Math.Max(0, pieces - width));
}
