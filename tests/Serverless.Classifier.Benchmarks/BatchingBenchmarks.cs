using BenchmarkDotNet.Attributes;
using Serverless.Classifier.Model;

namespace Serverless.Classifier.Benchmarks;

/// <summary>
/// Encoding 256 real sentences three ways: batches of 32 in arrival order padded to their longest (the baseline), the
/// engine's length-sorted batches under a token budget, and one text at a time at its exact length.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 2, iterationCount: 6)]
public class BatchingBenchmarks
{
    private ClassifierModel _model = null!;
    private int[][] _ids = null!;

    [GlobalSetup]
    public void Setup()
    {
        _model = BenchmarkData.LoadModel();
        _ids = [.. BenchmarkData.Sentences().Take(256).Select(t => _model.Tokenizer.Encode(t).Ids)];
    }

    [GlobalCleanup]
    public void Cleanup() => _model.Dispose();

    [Benchmark(Baseline = true)]
    public int ArrivalOrderBatchesOf32()
    {
        var hidden = _model.Features.HiddenSize;
        var pooled = new float[_ids.Length * hidden];
        var offset = 0;
        foreach (var chunk in _ids.Chunk(32))
        {
            using var batch = _model.Features.Session.Run(chunk, _model.Tokenizer.PadId, CancellationToken.None);
            batch.Pool(Pooling.Cls, pooled.AsSpan(offset * hidden, chunk.Length * hidden));
            offset += chunk.Length;
        }

        return pooled.Length;
    }

    [Benchmark]
    public int LengthSortedUnderTokenBudget() =>
        _model.Features.Pool(_ids, [Pooling.Cls], maxBatchTokens: 4096, maxBatchSize: 32, CancellationToken.None)[Pooling.Cls].Length;

    [Benchmark]
    public int OneAtATime() =>
        _model.Features.Pool(_ids, [Pooling.Cls], maxBatchTokens: 4096, maxBatchSize: 1, CancellationToken.None)[Pooling.Cls].Length;
}
