using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Classifier.Model;

namespace Serverless.Classifier.Benchmarks.Harness;

/// <summary>
/// <c>corpus --corpus FILE --package DIR [--runs N] [--chunk 256] [--arena on|off]</c>: the product's batch path (the classifier a job
/// uses: chunks of 256 texts, length-sorted batches inside) over the whole corpus, several runs; one JSON line with
/// texts/s of the median run. Part of bench/run.sh.
/// </summary>
internal static class CorpusRun
{
    public static async Task<int> RunAsync(Dictionary<string, string> options)
    {
        var texts = Corpus.Read(options["corpus"]);
        var runs = int.Parse(options.GetValueOrDefault("runs", "3"), System.Globalization.CultureInfo.InvariantCulture);
        var chunk = int.Parse(options.GetValueOrDefault("chunk", "256"), System.Globalization.CultureInfo.InvariantCulture);
        var arena = options.GetValueOrDefault("arena", "default");
        var (provider, classifier) = await LoadAsync(options["package"], chunk, arena == "default" ? null : arena == "on");
        await using var loaded = provider;
        var seconds = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var stopwatch = Stopwatch.StartNew();
            foreach (var part in texts.Chunk(chunk))
            {
                await classifier.ClassifyAsync(new ClassificationRequest { Texts = part, Priority = InferencePriority.Batch }, CancellationToken.None);
            }

            seconds.Add(stopwatch.Elapsed.TotalSeconds);
        }

        var median = seconds.Order().ElementAt(seconds.Count / 2);
        var manifest = classifier.Manifest!;
        Console.WriteLine(new JsonObject
        {
            ["system"] = SystemOf(manifest),
            ["package"] = $"{manifest.Name} {manifest.Version}",
            ["texts"] = texts.Count,
            ["runs"] = new JsonArray([.. seconds.Select(s => JsonValue.Create(Math.Round(s, 3)))]),
            ["medianSeconds"] = Math.Round(median, 3),
            ["textsPerSecond"] = Math.Round(texts.Count / median, 1),
            ["cpuMemoryArena"] = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<ClassifierOptions>>().Value.CpuMemoryArena,
            ["peakRssMb"] = Math.Round(System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0, 1),
        }.ToJsonString());
        return 0;
    }

    /// <summary>The product's classifier on one package, loaded (chunks of <paramref name="chunk"/> texts per request).</summary>
    internal static async Task<(ServiceProvider Provider, ITextClassifier Classifier)> LoadAsync(string package, int chunk, bool? arena = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddTextClassifier().Configure(o =>
        {
            (o.ModelPath, o.MaxInputsPerRequest) = (package, chunk);
            o.CpuMemoryArena = arena ?? o.CpuMemoryArena;
        });
        var provider = services.BuildServiceProvider();
        var classifier = provider.GetRequiredService<ITextClassifier>();
        await classifier.LoadAsync(CancellationToken.None);
        return (provider, classifier);
    }

    /// <summary>The result line's "system": the batch path and the package's precision.</summary>
    internal static string SystemOf(ModelManifest manifest) =>
        $"product batch path, {manifest.Encoder.Precision.ToString().ToLowerInvariant()}{(manifest.Encoder.ClsOnlyLastLayer ? " + [CLS]-only last layer" : string.Empty)}";
}

/// <summary>
/// <c>corpus-ratio --corpus FILE --packages DIR,DIR,... [--runs N] [--chunk 256]</c>: the batch path of several packages
/// loaded in one process, interleaved chunk by chunk (each chunk of 256 texts goes through every package in turn, the
/// order rotating), so a slow minute on a shared machine slows every package alike. One JSON line per package: its
/// seconds per run and its speed against the first package (time of the first / time of this one, per run; median).
/// Part of bench/run.sh.
/// </summary>
internal static class CorpusRatio
{
    public static async Task<int> RunAsync(Dictionary<string, string> options)
    {
        var texts = Corpus.Read(options["corpus"]);
        var runs = int.Parse(options.GetValueOrDefault("runs", "3"), System.Globalization.CultureInfo.InvariantCulture);
        var chunk = int.Parse(options.GetValueOrDefault("chunk", "256"), System.Globalization.CultureInfo.InvariantCulture);
        var packages = options["packages"].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var providers = new List<ServiceProvider>();
        try
        {
            var classifiers = new List<ITextClassifier>();
            foreach (var package in packages)
            {
                var (provider, classifier) = await CorpusRun.LoadAsync(package, chunk);
                providers.Add(provider);
                classifiers.Add(classifier);
            }

            var seconds = packages.Select(_ => new double[runs]).ToArray();
            var parts = texts.Chunk(chunk).ToArray();
            for (var run = 0; run < runs; run++)
            {
                for (var part = 0; part < parts.Length; part++)
                {
                    for (var turn = 0; turn < classifiers.Count; turn++)
                    {
                        var index = (part + turn) % classifiers.Count;
                        var stopwatch = Stopwatch.StartNew();
                        await classifiers[index].ClassifyAsync(new ClassificationRequest { Texts = parts[part], Priority = InferencePriority.Batch }, CancellationToken.None);
                        seconds[index][run] += stopwatch.Elapsed.TotalSeconds;
                    }
                }
            }

            for (var index = 0; index < classifiers.Count; index++)
            {
                var manifest = classifiers[index].Manifest!;
                var median = seconds[index].Order().ElementAt(runs / 2);
                var speed = Enumerable.Range(0, runs).Select(run => seconds[0][run] / seconds[index][run]).Order().ElementAt(runs / 2);
                Console.WriteLine(new JsonObject
                {
                    ["system"] = CorpusRun.SystemOf(manifest),
                    ["package"] = $"{manifest.Name} {manifest.Version}",
                    ["path"] = packages[index],
                    ["texts"] = texts.Count,
                    ["runs"] = new JsonArray([.. seconds[index].Select(s => JsonValue.Create(Math.Round(s, 3)))]),
                    ["medianSeconds"] = Math.Round(median, 3),
                    ["textsPerSecond"] = Math.Round(texts.Count / median, 1),
                    ["speedVersusFirst"] = Math.Round(speed, 3),
                }.ToJsonString());
            }
        }
        finally
        {
            foreach (var provider in providers)
            {
                await provider.DisposeAsync();
            }
        }

        return 0;
    }
}

/// <summary>The benchmark corpus: JSON Lines with a "text" field, in arrival order.</summary>
internal static class Corpus
{
    public static List<string> Read(string path) =>
        [.. File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!["text"]!.GetValue<string>())];
}
