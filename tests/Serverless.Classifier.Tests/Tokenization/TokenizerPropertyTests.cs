using CsCheck;
using Serverless.Classifier.Tokenization;

namespace Serverless.Classifier.Tests.Tokenization;

/// <summary>On any string (lone surrogates, controls, noncharacters, astral text), the tokenizer and the per-text
/// rules never throw; a text the rules accept tokenizes to [CLS] ... [SEP] within the maximum length.</summary>
public sealed class TokenizerPropertyTests
{
    private static Lazy<WordPieceTextTokenizer> Tokenizer => GoldenTokenizerTests.Tokenizer;

    private static readonly Gen<string> AnyText = Gen.OneOf(
        Gen.String,
        Gen.Char.Array[0, 64].Select(c => new string(c)),
        Gen.OneOf(Gen.Char['\uD800', '\uDFFF'], Gen.Char['\0', '\u00FF'], Gen.OneOf<char>('\u0301', '\u0130', '\u03A3', '\uFFFE', '\uFFFF', '\u200B', '\u3000'), Gen.Char['\uAC00', '\uD7A3'])
            .Array[0, 64].Select(c => new string(c)));

    [Fact]
    public void Encode_AnyString_NeverThrowsAndKeepsClsFirstSepLastWithinMaxLength() =>
        Gen.Select(AnyText, Gen.Int[2, 40]).Sample(
            (text, maxLength) =>
            {
                var encoded = Tokenizer.Value.Encode(text, maxLength);

                Assert.InRange(encoded.Ids.Length, 2, maxLength);
                Assert.Equal(Tokenizer.Value.ClsId, encoded.Ids[0]);
                Assert.Equal(Tokenizer.Value.SepId, encoded.Ids[^1]);
                Assert.All(encoded.Ids, id => Assert.InRange(id, 0, Tokenizer.Value.VocabularySize - 1));
            },
            iter: 20_000);

    [Fact]
    public void TextLimits_AnyString_ReturnsAProblemOrPassesWithoutThrowing() =>
        AnyText.Sample(
            text =>
            {
                var problem = TextLimits.Check(text, new ClassifierOptions());
                if (problem is null)
                {
                    Assert.Equal(-1, TextLimits.IndexOfLoneSurrogate(text));
                    Assert.False(string.IsNullOrWhiteSpace(text));
                }
            },
            iter: 20_000);
}
