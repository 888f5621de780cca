using BenchmarkDotNet.Running;
using Serverless.Classifier.Benchmarks.Harness;

// "corpus", "corpus-ratio", "http" and "coldstart" are the steps of bench/run.sh and bench/coldstart.sh; anything else goes to BenchmarkDotNet.
if (args is ["corpus" or "corpus-ratio" or "http" or "coldstart", ..])
{
    var options = args.Skip(1).Chunk(2).Where(pair => pair.Length == 2).ToDictionary(pair => pair[0].TrimStart('-'), pair => pair[1], StringComparer.Ordinal);
    return args[0] switch
    {
        "corpus" => await CorpusRun.RunAsync(options),
        "corpus-ratio" => await CorpusRatio.RunAsync(options),
        "http" => await HttpLoad.RunAsync(options),
        _ => await ColdStart.RunAsync(options),
    };
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
