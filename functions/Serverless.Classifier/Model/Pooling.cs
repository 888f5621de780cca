namespace Serverless.Classifier.Model;

/// <summary>How a head reduces the encoder's token states <c>[sequence, hidden]</c> to one vector <c>[hidden]</c>.
/// A head must be served with the pooling it was trained with.</summary>
public enum Pooling
{
    /// <summary>The first token's state ([CLS]); Hugging Face sequence classifiers use this.</summary>
    Cls,

    /// <summary>The mean of the states of real (unmasked) tokens, [CLS] and [SEP] included, as sentence-transformers does.</summary>
    Mean,

    /// <summary>The element-wise maximum over real tokens.</summary>
    Max,

    /// <summary>The state of the last real token ([SEP] for BERT-style inputs).</summary>
    Last,
}
