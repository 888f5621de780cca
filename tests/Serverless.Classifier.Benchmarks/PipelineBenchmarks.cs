using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Classifier.Inference;
using Serverless.Classifier.Model;

namespace Serverless.Classifier.Benchmarks;

/// <summary>Each stage of a request on the default model, at batch 1 and 32: tokenize, encode (ONNX encoder + cls
/// pooling), head, and the whole <see cref="ITextClassifier.ClassifyAsync"/>.</summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class PipelineBenchmarks
{
    private ServiceProvider _services = null!;
    private ITextClassifier _classifier = null!;
    private ClassifierModel _model = null!;
    private HeadSession _head = null!;
    private string[] _texts = null!;
    private int[][] _ids = null!;
    private float[] _pooled = null!;
    private ClassificationRequest _request = null!;

    [Params(1, 32)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _texts = [.. BenchmarkData.Sentences().Take(BatchSize)];
        _model = BenchmarkData.LoadModel();
        _head = _model.Heads[_model.Manifest.DefaultHead];
        _ids = [.. _texts.Select(t => _model.Tokenizer.Encode(t).Ids)];
        _pooled = _model.Features.Pool(_ids, [Pooling.Cls], 4096, 32, CancellationToken.None)[Pooling.Cls];
        _services = BenchmarkData.Services();
        _classifier = _services.GetRequiredService<ITextClassifier>();
        _classifier.LoadAsync(CancellationToken.None).GetAwaiter().GetResult();
        _request = new ClassificationRequest { Texts = _texts };
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _model.Dispose();
        _services.Dispose();
    }

    [Benchmark]
    public int Tokenize()
    {
        var total = 0;
        foreach (var text in _texts)
        {
            total += _model.Tokenizer.Encode(text).Ids.Length;
        }

        return total;
    }

    [Benchmark]
    public float[] Encode() => _model.Features.Pool(_ids, [Pooling.Cls], 4096, 32, CancellationToken.None)[Pooling.Cls];

    [Benchmark]
    public float[] Head() => _head.Logits(_pooled, BatchSize, CancellationToken.None);

    [Benchmark]
    public Task<ClassificationResult> EndToEnd() => _classifier.ClassifyAsync(_request, CancellationToken.None);
}
