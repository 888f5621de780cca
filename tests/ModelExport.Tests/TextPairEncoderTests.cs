using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Onnx;
using Serverless.Classifier;
using Serverless.Classifier.Model;

namespace ModelExport.Tests;

/// <summary>Text pairs need token types: an encoder without them (as DistilBERT's) refuses pairs and still serves texts.</summary>
public sealed class TextPairEncoderTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "no-token-types-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Pair_OnAnEncoderWithoutTokenTypes_IsRefusedNamingTheInput()
    {
        await WriteEncoderWithoutTokenTypesAsync();
        var services = new ServiceCollection().AddLogging();
        services.AddTextClassifier().Configure(options => options.ModelPath = _directory);
        await using var provider = services.BuildServiceProvider();
        var classifier = provider.GetRequiredService<ITextClassifier>();

        var single = await classifier.ClassifyAsync(new ClassificationRequest { Texts = ["I love this phone"] }, TestContext.Token);
        var exception = await Assert.ThrowsAsync<ClassifierException>(() =>
            classifier.ClassifyAsync(new ClassificationRequest { Texts = ["I love this phone", "Is it good?"], SecondTexts = [null, "It is."] }, TestContext.Token));

        Assert.Equal("positive", single.Labels[single.Texts[0].Scores[1] > single.Texts[0].Scores[0] ? 1 : 0]);
        Assert.Equal((ClassifierErrorKind.InvalidInput, "inputs[1]"), (exception.Kind, exception.Field));
        Assert.Equal(
            "inputs[1] is a text pair, but the encoder of model arctic-xs-sentiment 1.0.0 has no token types (DistilBERT-style); it cannot tell the two texts apart. Send single texts.",
            exception.Message);
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>The default package with an encoder whose token types are zeros it makes itself (no token_type_ids input).</summary>
    private async Task WriteEncoderWithoutTokenTypesAsync()
    {
        Directory.CreateDirectory(Path.Combine(_directory, "heads"));
        var model = ModelProto.Parser.ParseFrom(await File.ReadAllBytesAsync(Path.Combine(TestPaths.DefaultModel, "encoder.onnx"), TestContext.Token));
        var graph = model.Graph;
        graph.Input.Remove(graph.Input.Single(i => i.Name == "token_type_ids"));
        var zero = new TensorProto { DataType = (int)TensorProto.Types.DataType.Int64, Dims = { 1 }, Int64Data = { 0 } };
        graph.Node.Insert(0, new NodeProto { Name = "token_types/shape", OpType = "Shape", Input = { "input_ids" }, Output = { "token_types/shape_output" } });
        graph.Node.Insert(1, new NodeProto
        {
            Name = "token_types/zeros",
            OpType = "ConstantOfShape",
            Input = { "token_types/shape_output" },
            Output = { "token_type_ids" },
            Attribute = { new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = zero } },
        });
        var encoder = Path.Combine(_directory, "encoder.onnx");
        await File.WriteAllBytesAsync(encoder, model.ToByteArray(), TestContext.Token);
        var manifest = await ModelPackage.ReadManifestAsync(TestPaths.DefaultModel, TestContext.Token);
        foreach (var file in manifest.Heads.Select(h => h.File).Append(manifest.Tokenizer.File))
        {
            File.Copy(Path.Combine(TestPaths.DefaultModel, file), Path.Combine(_directory, file));
        }

        await ModelPackage.WriteManifestAsync(
            _directory,
            manifest with { Encoder = manifest.Encoder with { TokenTypeIds = null, Sha256 = await ModelPackage.Sha256Async(encoder, TestContext.Token) } },
            TestContext.Token);
    }
}
