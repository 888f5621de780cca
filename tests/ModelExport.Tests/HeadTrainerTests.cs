using ModelExport.Training;

namespace ModelExport.Tests;

public sealed class HeadTrainerTests
{
    private const int Hidden = 6;
    private const int Labels = 3;

    [Theory]
    [InlineData(nameof(HeadShape.Linear))]
    [InlineData(nameof(HeadShape.Mlp))]
    public void Backward_WithoutDropout_MatchesFiniteDifferences(string shapeName)
    {
        var shape = Enum.Parse<HeadShape>(shapeName);
        var data = RandomFeatures(rows: 5, seed: 3);
        var model = HeadTrainer.Parameters.Initialize(shape, Hidden, Labels, new Random(7));
        var gradients = model.ZerosLike();
        int[] batch = [0, 1, 2, 3, 4];

        model.Backward(data, batch, gradients, dropout: 0f, new Random(1));

        for (var tensor = 0; tensor < model.All.Length; tensor++)
        {
            for (var i = 0; i < model.All[tensor].Length; i += 5)
            {
                var numeric = NumericGradient(model, data, tensor, i);
                var analytic = gradients.All[tensor][i];
                Assert.True(Math.Abs(numeric - analytic) <= 2e-3 + 2e-2 * Math.Abs(numeric), $"tensor {tensor}[{i}]: analytic {analytic}, numeric {numeric}");
            }
        }
    }

    [Theory]
    [InlineData(nameof(HeadShape.Linear))]
    [InlineData(nameof(HeadShape.Mlp))]
    public void Train_SeparableClusters_ReachesFullAccuracyDeterministically(string shapeName)
    {
        var shape = Enum.Parse<HeadShape>(shapeName);
        var train = Clusters(rows: 120, seed: 11);
        var dev = Clusters(rows: 30, seed: 12);
        var options = new HeadTrainingOptions { Shape = shape, Epochs = 40, LearningRate = 1e-2f };

        var head = HeadTrainer.Train(train, dev, Labels, options);
        var again = HeadTrainer.Train(train, dev, Labels, options);

        Assert.Equal(1.0, HeadTrainer.Evaluate(head, dev).Accuracy);
        Assert.Equal(head.ClassifierWeight, again.ClassifierWeight);
        Assert.Equal(shape == HeadShape.Mlp, head.PreClassifierWeight is not null);
    }

    private static double NumericGradient(HeadTrainer.Parameters model, FeatureSet data, int tensor, int index, float epsilon = 1e-3f)
    {
        var values = model.All[tensor];
        var original = values[index];
        values[index] = original + epsilon;
        var plus = HeadTrainer.Evaluate(model.ToTrainedHead(), data).Loss;
        values[index] = original - epsilon;
        var minus = HeadTrainer.Evaluate(model.ToTrainedHead(), data).Loss;
        values[index] = original;
        return (plus - minus) / (2 * epsilon);
    }

    private static FeatureSet RandomFeatures(int rows, int seed)
    {
        var random = new Random(seed);
        return new FeatureSet(
            [.. Enumerable.Range(0, rows * Hidden).Select(_ => (float)(random.NextDouble() * 2 - 1))],
            [.. Enumerable.Range(0, rows).Select(i => i % Labels)],
            Hidden);
    }

    // Three well-separated Gaussian clusters, one per label.
    internal static FeatureSet Clusters(int rows, int seed)
    {
        var random = new Random(seed);
        var features = new float[rows * Hidden];
        var labels = new int[rows];
        for (var row = 0; row < rows; row++)
        {
            labels[row] = row % Labels;
            for (var d = 0; d < Hidden; d++)
            {
                var center = d % Labels == labels[row] ? 3f : 0f;
                features[row * Hidden + d] = center + (float)(random.NextDouble() - 0.5);
            }
        }

        return new FeatureSet(features, labels, Hidden);
    }
}
