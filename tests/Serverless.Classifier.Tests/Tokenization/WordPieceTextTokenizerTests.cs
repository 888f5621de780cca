using System.Text;
using Serverless.Classifier.Model;
using Serverless.Classifier.Tokenization;

namespace Serverless.Classifier.Tests.Tokenization;

public sealed class WordPieceTextTokenizerTests
{
    // id:  0        1        2        3        4         5      6     7      8     9     10      11    12
    private static readonly string[] Vocabulary =
    [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "##s", "un", "##aff", "##able", ",", "!",
    //   13    14   15    16   17    18     19      20     21    22     23
        "$", "5", "+", "_", "a", "b", "cafe", "σοφος", "ς", "中", "国",
    ];

    private static WordPieceTextTokenizer Create(TokenizerManifest? settings = null, string[]? vocabulary = null)
    {
        var text = string.Join("\r\n", vocabulary ?? Vocabulary) + "\r\n";
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text));
        return WordPieceTextTokenizer.Create(stream, settings ?? Settings(), "vocab.txt");
    }

    private static TokenizerManifest Settings(int maxLength = 512, int maxInputCharsPerWord = 100) =>
        new() { File = "vocab.txt", Sha256 = new string('0', 64), MaxLength = maxLength, MaxInputCharsPerWord = maxInputCharsPerWord };

    [Theory]
    [InlineData("Hello, World!", new[] { 2, 5, 11, 6, 12, 3 })]
    [InlineData("unaffable worlds", new[] { 2, 8, 9, 10, 6, 7, 3 })]
    [InlineData("$5+5", new[] { 2, 13, 14, 15, 14, 3 })]
    [InlineData("a_b", new[] { 2, 17, 16, 18, 3 })]
    [InlineData("Café", new[] { 2, 19, 3 })]
    [InlineData("ΣΟΦΟΣ", new[] { 2, 20, 3 })]
    [InlineData("中国", new[] { 2, 22, 23, 3 })]
    [InlineData("hello 😀 world", new[] { 2, 5, 1, 6, 3 })]
    [InlineData("hel\u0000lo\u200b world\t!", new[] { 2, 5, 6, 12, 3 })]
    [InlineData("hello[SEP]world [MASK]", new[] { 2, 5, 3, 6, 4, 3 })]
    [InlineData("", new[] { 2, 3 })]
    public void Encode_Text_GivesHuggingFaceIds(string text, int[] expected)
    {
        Assert.Equal(expected, Create().Encode(text).Ids);
    }

    [Fact]
    public void Encode_WordLongerThanMaxInputChars_IsOneUnknownToken()
    {
        var tokenizer = Create(Settings(maxInputCharsPerWord: 5));

        Assert.Equal([2, 5, 3], tokenizer.Encode("hello").Ids);
        Assert.Equal([2, 1, 3], tokenizer.Encode("helloo").Ids);
    }

    [Fact]
    public void Encode_OverMaxLength_KeepsClsFirstSepLastAndReportsTruncation()
    {
        var tokenizer = Create(Settings(maxLength: 5));

        var encoded = tokenizer.Encode("hello world hello world");

        Assert.Equal([2, 5, 6, 5, 3], encoded.Ids);
        Assert.True(encoded.Truncated);
        Assert.False(tokenizer.Encode("hello world hello").Truncated);
    }

    [Fact]
    public void Create_SpecialTokenMissingFromVocabulary_ThrowsModelInvalidNamingIt()
    {
        var vocabulary = Vocabulary.Where(t => t != "[MASK]").ToArray();

        var exception = Assert.Throws<ClassifierException>(() => Create(vocabulary: vocabulary));

        Assert.Equal(ClassifierErrorKind.ModelInvalid, exception.Kind);
        Assert.Contains("has no line '[MASK]', which the manifest names as tokenizer.specialTokens.mask", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_DuplicateToken_ThrowsModelInvalidWithBothLines()
    {
        var exception = Assert.Throws<ClassifierException>(() => Create(vocabulary: [.. Vocabulary, "hello"]));

        Assert.Equal(ClassifierErrorKind.ModelInvalid, exception.Kind);
        Assert.Contains("lists token 'hello' twice (lines 6 and 25)", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StockBertTokenizer_AsciiSymbols_DiffersFromHuggingFace()
    {
        // Why WordPieceTextTokenizer exists: Microsoft.ML.Tokenizers 2.0.1's BertTokenizer drops "$" and "+" (neither
        // \w nor \p{P}). If this starts failing, the stock tokenizer may have been fixed; re-run the golden tests with it.
        using var vocabulary = new MemoryStream(Encoding.UTF8.GetBytes(string.Join("\n", Vocabulary) + "\n"));
        var stock = Microsoft.ML.Tokenizers.BertTokenizer.Create(vocabulary);

        Assert.Equal([2, 14, 14, 3], stock.EncodeToIds("$5+5"));
        Assert.Equal([2, 13, 14, 15, 14, 3], Create().Encode("$5+5").Ids);
    }
}
