using System.Text.Json;
using Serverless.Classifier.Model;

namespace Serverless.Classifier.Tests.Inference;

/// <summary>
/// The default encoder's pooled vectors against transformers.js feature extraction (onnxruntime-node, fp32) on 200
/// golden sentences (TestData/reference/make-pooled-golden.mjs), batched the way the service batches them.
/// </summary>
public sealed class PooledGoldenTests(DefaultModelFixture fixture) : IClassFixture<DefaultModelFixture>
{
    private const float Tolerance = 1e-4f;

    [Fact]
    public void Pool_ClsAndMean_MatchTransformersJsWithin1e4()
    {
        var rows = File.ReadLines(TestPaths.TestData("pooled-golden.jsonl"))
            .Select(line => JsonSerializer.Deserialize<PooledRow>(line, JsonSerializerOptions.Web)!)
            .ToList();
        Assert.Equal(200, rows.Count);
        var model = fixture.TextClassifier.Current!;
        var encoder = model.Features;
        var inputs = rows.Select(r => encoder.Tokenizer.Encode(r.Text).Ids).ToArray();

        var pooled = encoder.Pool(inputs, [Pooling.Cls, Pooling.Mean], maxBatchTokens: 2048, maxBatchSize: 32, TestContext.Token);

        var hidden = encoder.HiddenSize;
        var worst = 0f;
        for (var i = 0; i < rows.Count; i++)
        {
            for (var d = 0; d < hidden; d++)
            {
                worst = Math.Max(worst, Math.Abs(pooled[Pooling.Cls][i * hidden + d] - rows[i].Cls[d]));
                worst = Math.Max(worst, Math.Abs(pooled[Pooling.Mean][i * hidden + d] - rows[i].Mean[d]));
            }
        }

        Assert.True(worst <= Tolerance, $"largest difference {worst} exceeds {Tolerance}");
    }

    private sealed record PooledRow(string Text, float[] Cls, float[] Mean);
}
