using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;

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
        var services = new ServiceCollection();
        services.AddLogging();
        var arena = options.GetValueOrDefault("arena", "default");
        services.AddTextClassifier().Configure(o =>
        {
            (o.ModelPath, o.MaxInputsPerRequest) = (options["package"], chunk);
            o.CpuMemoryArena = arena == "default" ? o.CpuMemoryArena : arena == "on";
        });
        await using var provider = services.BuildServiceProvider();
        var classifier = provider.GetRequiredService<ITextClassifier>();
        await classifier.LoadAsync(CancellationToken.None);
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
            ["system"] = $"product batch path, {manifest.Encoder.Precision.ToString().ToLowerInvariant()}{(manifest.Encoder.ClsOnlyLastLayer ? " + [CLS]-only last layer" : string.Empty)}",
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
}

/// <summary>The benchmark corpus: JSON Lines with a "text" field, in arrival order.</summary>
internal static class Corpus
{
    public static List<string> Read(string path) =>
        [.. File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!["text"]!.GetValue<string>())];
}
