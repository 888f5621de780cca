using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML.OnnxRuntime;
using ModelExport.Importing;
using ModelExport.Training;
using Serverless.Classifier;
using Serverless.Classifier.Model;

namespace ModelExport.Tests;

/// <summary>
/// import-hf on checkpoints written by TestData/checkpoints/make_checkpoints.py (torch, hand-written safetensors), whose
/// reference.json holds the logits torch computes with the same head modules transformers uses.
/// </summary>
public sealed class ImportHfTests : IDisposable
{
    private const int Hidden = 8;
    private const int Vocabulary = 10;
    private readonly string _temporary = Path.Combine(Path.GetTempPath(), "import-hf-" + Guid.NewGuid().ToString("N"));

    public ImportHfTests() => Directory.CreateDirectory(_temporary);

    public void Dispose() => Directory.Delete(_temporary, recursive: true);

    private static string Checkpoint(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", "checkpoints", name);

    [Theory]
    [InlineData("distilbert-single-f32", "Mlp")]
    [InlineData("distilbert-multi_label_classification-f16", "Mlp")]
    [InlineData("bert-single-f32", "Pooler")]
    public void HeadOnnx_FromCheckpoint_MatchesTorchLogitsWithin1e5(string folder, string shape)
    {
        var checkpoint = HfCheckpoint.Read(Checkpoint(folder));
        var reference = JsonNode.Parse(File.ReadAllText(Path.Combine(Checkpoint(folder), "reference.json")))!;
        float[] pooled = [.. reference["pooled"]!.AsArray().SelectMany(r => r!.AsArray().Select(v => v!.GetValue<float>()))];
        float[] expected = [.. reference["logits"]!.AsArray().SelectMany(r => r!.AsArray().Select(v => v!.GetValue<float>()))];
        using var onnx = new MemoryStream();

        HeadOnnx.Write(checkpoint.Head, onnx);

        Assert.Equal(Enum.Parse<HeadShape>(shape), checkpoint.Head.Shape);
        using var session = new InferenceSession(onnx.ToArray());
        using var input = OrtValue.CreateTensorValueFromMemory(pooled, [pooled.Length / Hidden, Hidden]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [HeadOnnx.InputName], [input], [HeadOnnx.OutputName]);
        var actual = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        Assert.Equal(expected.Length, actual.Length);
        Assert.All(expected.Zip(actual), pair => Assert.True(Math.Abs(pair.First - pair.Second) <= 1e-5f, $"torch {pair.First} vs ours {pair.Second}"));
    }

    [Theory]
    [InlineData("distilbert-single-f32", false, "softmax", 64, true)]
    [InlineData("distilbert-multi_label_classification-f16", false, "sigmoid", 64, true)]
    [InlineData("bert-single-f32", true, "softmax", 32, false)]
    public async Task ImportHf_Checkpoint_WritesAPackageThatClassifiesWithTheCheckpointsHead(string folder, bool tokenTypeIds, string activation, int maxLength, bool lowerCase)
    {
        var encoder = Path.Combine(_temporary, "encoder.onnx");
        TinyEncoder.Write(encoder, Vocabulary, Hidden, tokenTypeIds);
        var package = Path.Combine(_temporary, "package");

        var (exitCode, output, error) = await CliRunner.RunAsync(["import-hf", "--checkpoint", Checkpoint(folder), "--encoder-onnx", encoder, "--out", package, "--name", "tiny", "--version", "0.1.0"]);

        Assert.True(exitCode == 0, error);
        Assert.Equal(activation, JsonNode.Parse(output)!["activation"]!.GetValue<string>());
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(package, "manifest.json")))!;
        Assert.Equal(["negative", "neutral", "positive"], manifest["heads"]![0]!["labels"]!.AsArray().Select(l => l!.GetValue<string>()));
        Assert.Equal("cls", manifest["heads"]![0]!["pooling"]!.GetValue<string>());
        Assert.Equal(maxLength, manifest["tokenizer"]!["maxLength"]!.GetValue<int>());
        Assert.Equal(lowerCase, manifest["tokenizer"]!["doLowerCase"]!.GetValue<bool>());
        Assert.Equal(tokenTypeIds ? "token_type_ids" : null, manifest["encoder"]!["tokenTypeIds"]?.GetValue<string>());

        // The tiny encoder's [CLS] state is embedding row 2 ([CLS] is line 3 of the vocabulary): the package's logits
        // for any text must be the checkpoint head's logits for that row.
        await using var services = ServingServices.Create(options => options.ModelPath = package);
        var raw = await services.GetRequiredService<ITextClassifier>().ClassifyAsync(
            new ClassificationRequest { Texts = ["good movies!"], FunctionToApply = Activation.None }, TestContext.Token);
        var logits = raw.Texts[0].Scores;
        var cls = TinyEncoder.Embeddings(Vocabulary, Hidden).AsSpan(2 * Hidden, Hidden).ToArray();
        var expected = HfCheckpoint.Read(Checkpoint(folder)).Head.Logits(cls, 1);
        Assert.All(expected.Zip(logits), pair => Assert.True(Math.Abs(pair.First - pair.Second) <= 1e-5f, $"{pair.First} vs {pair.Second}"));
    }

    [Fact]
    public async Task ImportHf_EncoderWithoutLastHiddenState_SaysHowToExportIt()
    {
        var encoder = Path.Combine(_temporary, "classifier.onnx");
        TinyEncoder.Write(encoder, Vocabulary, Hidden, tokenTypeIds: false, outputName: "logits");

        var (exitCode, _, error) = await CliRunner.RunAsync(["import-hf", "--checkpoint", Checkpoint("distilbert-single-f32"), "--encoder-onnx", encoder, "--out", Path.Combine(_temporary, "p")]);

        Assert.Equal(1, exitCode);
        Assert.Contains("has outputs [logits]; expected 'last_hidden_state' (export with --task feature-extraction", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportHf_CrossEncoderWithOneLogit_IsASigmoidHeadThatScoresTextPairs()
    {
        // A cross-encoder (BertForSequenceClassification, num_labels 1) made from the BERT fixture: its classifier keeps row 0.
        var checkpoint = Path.Combine(_temporary, "cross-encoder");
        Directory.CreateDirectory(checkpoint);
        foreach (var file in new[] { "vocab.txt", "tokenizer_config.json" })
        {
            File.Copy(Path.Combine(Checkpoint("bert-single-f32"), file), Path.Combine(checkpoint, file));
        }

        var config = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Checkpoint("bert-single-f32"), "config.json")))!.AsObject();
        config["id2label"] = new JsonObject { ["0"] = "LABEL_0" };
        config["label2id"] = new JsonObject { ["LABEL_0"] = 0 };
        await File.WriteAllTextAsync(Path.Combine(checkpoint, "config.json"), config.ToJsonString());
        var tensors = SafeTensors.Open(Path.Combine(Checkpoint("bert-single-f32"), "model.safetensors"));
        var weights = tensors.Names.ToDictionary(name => name, name => tensors.Read(name, "BertForSequenceClassification"));
        weights["classifier.weight"] = (weights["classifier.weight"].Values[..Hidden], [1, Hidden]);
        weights["classifier.bias"] = (weights["classifier.bias"].Values[..1], [1]);
        WriteSafeTensors(Path.Combine(checkpoint, "model.safetensors"), weights);
        var encoder = Path.Combine(_temporary, "encoder.onnx");
        TinyEncoder.Write(encoder, Vocabulary, Hidden, tokenTypeIds: true);
        var package = Path.Combine(_temporary, "package");

        var (exitCode, output, error) = await CliRunner.RunAsync(["import-hf", "--checkpoint", checkpoint, "--encoder-onnx", encoder, "--out", package]);

        Assert.True(exitCode == 0, error);
        Assert.Equal("sigmoid", JsonNode.Parse(output)!["activation"]!.GetValue<string>());
        await using var services = ServingServices.Create(options => options.ModelPath = package);
        var result = await services.GetRequiredService<ITextClassifier>().ClassifyAsync(
            new ClassificationRequest { Texts = ["good movies!", "bad"], SecondTexts = ["good", null] }, TestContext.Token);
        Assert.Equal(["LABEL_0"], result.Labels);
        Assert.All(result.Texts, t => Assert.InRange(Assert.Single(t.Scores), 0f, 1f));
    }

    /// <summary>The safetensors format: an 8-byte little-endian header length, a JSON header, then the raw fp32 data.</summary>
    private static void WriteSafeTensors(string path, Dictionary<string, (float[] Values, long[] Shape)> tensors)
    {
        var header = new JsonObject();
        long offset = 0;
        foreach (var (name, (values, shape)) in tensors.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            header[name] = new JsonObject { ["dtype"] = "F32", ["shape"] = new JsonArray([.. shape.Select(d => JsonValue.Create(d))]), ["data_offsets"] = new JsonArray(offset, offset + (values.Length * 4)) };
            offset += values.Length * 4;
        }

        using var stream = File.Create(path);
        var json = System.Text.Encoding.UTF8.GetBytes(header.ToJsonString());
        stream.Write(BitConverter.GetBytes((long)json.Length));
        stream.Write(json);
        foreach (var (_, (values, _)) in tensors.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        }
    }

    [Fact]
    public void Read_RobertaCheckpoint_IsRefusedUntilByteLevelBpeHasParity()
    {
        var exception = Assert.Throws<ModelExportException>(() => HfCheckpoint.Read(Checkpoint("roberta-unsupported")));

        Assert.Contains("model_type 'roberta': its tokenizer is byte-level BPE", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingClassifierTensor_NamesItAndWhatWasFound()
    {
        var exception = Assert.Throws<ModelExportException>(() => HfCheckpoint.Read(Checkpoint("distilbert-missing-classifier")));

        Assert.Contains("has no tensor 'classifier.weight', which a DistilBertForSequenceClassification checkpoint has; found [pre_classifier.bias, pre_classifier.weight]", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_PickleCheckpoint_IsRefusedWithTheConversionCommand()
    {
        var folder = Path.Combine(_temporary, "pickle");
        Directory.CreateDirectory(folder);
        File.Copy(Path.Combine(Checkpoint("distilbert-single-f32"), "config.json"), Path.Combine(folder, "config.json"));
        File.WriteAllBytes(Path.Combine(folder, "pytorch_model.bin"), [0x80, 0x02]);

        var exception = Assert.Throws<ModelExportException>(() => HfCheckpoint.Read(folder));

        Assert.Contains("has pytorch_model.bin but no model.safetensors. Pickle checkpoints can run code", exception.Message, StringComparison.Ordinal);
        Assert.Contains("save_pretrained('DIR', safe_serialization=True)", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_FolderWithoutConfig_SaysWhatIsExpected()
    {
        var exception = Assert.Throws<ModelExportException>(() => HfCheckpoint.Read(_temporary));

        Assert.Contains("has no config.json; expected a Hugging Face checkpoint folder", exception.Message, StringComparison.Ordinal);
    }
}
