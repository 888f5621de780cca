using Serverless.Classifier.Inference;
using Serverless.Classifier.Model;

namespace Serverless.Classifier.Tests.Inference;

public sealed class ScoreMathTests
{
    [Fact]
    public void Activate_Softmax_SumsToOneAndKeepsOrder()
    {
        float[] logits = [1f, 3f, 2f];

        ScoreMath.Activate(logits, Activation.Softmax);

        Assert.Equal(1f, logits.Sum(), 5);
        Assert.Equal(0.66524094f, logits[1], 6);
    }

    [Fact]
    public void Activate_SigmoidAndNone_ScoreEachLogitAlone()
    {
        float[] sigmoid = [0f, 2f];
        float[] none = [0f, 2f];

        ScoreMath.Activate(sigmoid, Activation.Sigmoid);
        ScoreMath.Activate(none, Activation.None);

        Assert.Equal([0.5f, 0.8807971f], sigmoid, new PoolingMathTests.FloatTolerance(1e-6f));
        Assert.Equal([0f, 2f], none);
    }
}
