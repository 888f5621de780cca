using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Serverless.Classifier.Benchmarks.Harness;

/// <summary>
/// <c>http --url URL --corpus FILE --concurrency N [--seconds S] [--limit N]</c>: a closed-loop HTTP loader. N workers
/// each send one-text <c>POST /api/classify</c> requests, walking the corpus in order, for S seconds after a short warm-up;
/// one JSON line with requests/s, p50/p99 latency and errors by status. Part of bench/run.sh (a .NET loader rather than
/// wrk so CI machines and developers need nothing else installed).
/// </summary>
internal static class HttpLoad
{
    public static async Task<int> RunAsync(Dictionary<string, string> options)
    {
        var texts = Corpus.Read(options["corpus"]);
        if (options.TryGetValue("limit", out var limit))
        {
            texts = [.. texts.Take(int.Parse(limit, System.Globalization.CultureInfo.InvariantCulture))];
        }

        var url = new Uri(options["url"].TrimEnd('/') + "/api/classify");
        var concurrency = int.Parse(options["concurrency"], System.Globalization.CultureInfo.InvariantCulture);
        var duration = TimeSpan.FromSeconds(double.Parse(options.GetValueOrDefault("seconds", "20"), System.Globalization.CultureInfo.InvariantCulture));
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan }) { Timeout = TimeSpan.FromSeconds(60) };
        var next = -1;
        var latencies = new List<double>();
        var statuses = new Dictionary<string, int>();
        var measuring = false;

        async Task WorkerAsync(CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                var text = texts[(int)((uint)Interlocked.Increment(ref next) % (uint)texts.Count)];
                var started = Stopwatch.GetTimestamp();
                string status;
                try
                {
                    using var response = await client.PostAsJsonAsync(url, new { inputs = text }, CancellationToken.None);
                    await response.Content.ReadAsByteArrayAsync(CancellationToken.None);
                    status = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                catch (HttpRequestException exception)
                {
                    status = exception.GetType().Name;
                }

                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (Volatile.Read(ref measuring))
                {
                    lock (latencies)
                    {
                        latencies.Add(elapsed);
                        statuses[status] = statuses.GetValueOrDefault(status) + 1;
                    }
                }
            }
        }

        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(() => WorkerAsync(stop.Token))).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(3));
        Volatile.Write(ref measuring, true);
        var window = Stopwatch.StartNew();
        await Task.Delay(duration);
        Volatile.Write(ref measuring, false);
        var seconds = window.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        latencies.Sort();
        double Percentile(double p) => latencies.Count == 0 ? double.NaN : Math.Round(latencies[Math.Min(latencies.Count - 1, (int)(p * latencies.Count))], 1);
        var ok = statuses.GetValueOrDefault("200");
        Console.WriteLine(new JsonObject
        {
            ["system"] = $"product HTTP, one text per request, concurrency {concurrency}",
            ["concurrency"] = concurrency,
            ["seconds"] = Math.Round(seconds, 1),
            ["requests"] = latencies.Count,
            ["textsPerSecond"] = Math.Round(ok / seconds, 1),
            ["p50Ms"] = Percentile(0.50),
            ["p99Ms"] = Percentile(0.99),
            ["errors"] = latencies.Count - ok,
            ["statuses"] = new JsonObject([.. statuses.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => KeyValuePair.Create(s.Key, (JsonNode?)JsonValue.Create(s.Value)))]),
        }.ToJsonString());
        return 0;
    }
}
