using Microsoft.ML.OnnxRuntime;
using ModelExport.Training;

namespace ModelExport.Tests;

public sealed class HeadOnnxTests
{
    [Theory]
    [InlineData(nameof(HeadShape.Linear))]
    [InlineData(nameof(HeadShape.Mlp))]
    public void Write_TrainedHead_OnnxRuntimeComputesTheSameLogitsWithin1e5(string shapeName)
    {
        var shape = Enum.Parse<HeadShape>(shapeName);
        var data = HeadTrainerTests.Clusters(rows: 9, seed: 5);
        var head = HeadTrainer.Train(data, null, 3, new HeadTrainingOptions { Shape = shape, Epochs = 3 });
        using var onnx = new MemoryStream();

        HeadOnnx.Write(head, onnx);

        using var session = new InferenceSession(onnx.ToArray());
        Assert.Equal([HeadOnnx.InputName], session.InputNames);
        Assert.Equal([HeadOnnx.OutputName], session.OutputNames);
        Assert.Equal([-1, 6], session.InputMetadata[HeadOnnx.InputName].Dimensions);
        Assert.Equal([-1, 3], session.OutputMetadata[HeadOnnx.OutputName].Dimensions);
        using var input = OrtValue.CreateTensorValueFromMemory(data.Features, [data.Rows, data.HiddenSize]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [HeadOnnx.InputName], [input], [HeadOnnx.OutputName]);
        var actual = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        var expected = head.Logits(data.Features, data.Rows);
        Assert.Equal(expected.Length, actual.Length);
        Assert.All(expected.Zip(actual), pair => Assert.True(Math.Abs(pair.First - pair.Second) <= 1e-5f, $"{pair.First} vs {pair.Second}"));
    }
}
