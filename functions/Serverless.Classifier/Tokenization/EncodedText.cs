namespace Serverless.Classifier.Tokenization;

/// <summary>Token ids of one input, [CLS] first and [SEP] last, and whether word pieces were cut to fit the maximum length.</summary>
public readonly record struct EncodedText(int[] Ids, bool Truncated);
