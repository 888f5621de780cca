using BenchmarkDotNet.Running;
using Serverless.Classifier.Benchmarks.Harness;

// "corpus" and "http" are the steps of bench/run.sh; anything else goes to BenchmarkDotNet.
if (args is ["corpus" or "http", ..])
{
    var options = args.Skip(1).Chunk(2).Where(pair => pair.Length == 2).ToDictionary(pair => pair[0].TrimStart('-'), pair => pair[1], StringComparer.Ordinal);
    return args[0] == "corpus" ? await CorpusRun.RunAsync(options) : await HttpLoad.RunAsync(options);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
