using Serverless.Classifier.Inference;
using Serverless.Classifier.Model;

namespace Serverless.Classifier.Tests.Inference;

public sealed class PoolingMathTests
{
    // Two rows, sequence 3, hidden 2. Row 0 has 3 real tokens; row 1 has 2 and one padded position holding garbage.
    private static readonly float[] States =
    [
        1, 10, /**/ 3, 30, /**/ 5, -50,
        2, -2, /**/ 4, 8, /**/ 999, 999,
    ];

    private static readonly int[] Lengths = [3, 2];

    [Theory]
    [InlineData(Pooling.Cls, new float[] { 1, 10, 2, -2 })]
    [InlineData(Pooling.Mean, new float[] { 3, -10f / 3, 3, 3 })]
    [InlineData(Pooling.Max, new float[] { 5, 30, 4, 8 })]
    [InlineData(Pooling.Last, new float[] { 5, -50, 4, 8 })]
    public void Pool_RightPaddedBatch_IgnoresPaddingAndGivesExpectedVectors(Pooling pooling, float[] expected)
    {
        var destination = new float[4];

        PoolingMath.Pool(States, Lengths, sequenceLength: 3, hiddenSize: 2, pooling, destination);

        Assert.Equal(expected, destination, new FloatTolerance(1e-6f));
    }

    [Theory]
    [InlineData(Pooling.Cls)]
    [InlineData(Pooling.Mean)]
    [InlineData(Pooling.Max)]
    [InlineData(Pooling.Last)]
    public void Pool_MorePadding_DoesNotChangeThePooledVector(Pooling pooling)
    {
        float[] row = [1, 2, 3, 4, 5, 6];
        float[] padded = [1, 2, 3, 4, 5, 6, -7, 70, 100, -100];
        var once = new float[2];
        var withPadding = new float[2];

        PoolingMath.Pool(row, [3], sequenceLength: 3, hiddenSize: 2, pooling, once);
        PoolingMath.Pool(padded, [3], sequenceLength: 5, hiddenSize: 2, pooling, withPadding);

        Assert.Equal(once, withPadding);
    }

    internal sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
