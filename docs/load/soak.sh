#!/usr/bin/env bash
# Soak: the local host (Release build) under `wrk` at concurrency 32 with mixed-length real texts for MINUTES
# (default 10), in 10-second segments; each segment prints requests/s, p50/p99, responses by status and the host's
# RSS. Results: docs/load/soak-results.jsonl and the table in docs/benchmarks.md. Requires wrk (apt-get install wrk)
# and a Release build (dotnet build Serverless.sln -c Release). Sends traffic to 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/wait-ready.sh
minutes="${MINUTES:-10}"
connections="${CONNECTIONS:-32}"
port="${PORT:-7391}"
out="${OUT:-docs/load/soak-results.jsonl}"
work="$(mktemp -d)"
trap 'kill "$host" 2>/dev/null || true; wait "$host" 2>/dev/null || true; rm -rf "$work"' EXIT

# Mixed lengths: single reviews (about 15 tokens), three to ten joined (about 50-150), and 40 joined (over 512 tokens,
# truncated by the service), from the committed sentiment test split.
python3 - "$work/bodies.txt" <<'PY'
import json, random, sys
texts = [json.loads(line)["text"] for line in open("data/sentiment/test.jsonl", encoding="utf-8")]
random.seed(7)
bodies = []
for i in range(2000):
    n = random.choice([1, 1, 1, 1, 3, 5, 10, 40])
    bodies.append(json.dumps({"inputs": " ".join(random.sample(texts, n))}))
open(sys.argv[1], "w", encoding="utf-8").write("\n".join(bodies) + "\n")
PY

dotnet artifacts/bin/Serverless.Classifier.LocalHost/release/Serverless.Classifier.LocalHost.dll --urls "http://127.0.0.1:$port" \
  > "$work/host.log" 2>&1 &
host=$!
wait_ready "$port" "$work/host.log"
pid="$(pgrep -f "Serverless.Classifier.LocalHost.dll --urls http://127.0.0.1:$port" | head -1)"

: > "$out"
segments=$((minutes * 6))
for i in $(seq 1 "$segments"); do
  result="$(BODIES="$work/bodies.txt" wrk -t2 -c"$connections" -d10s --timeout 10s -s docs/load/soak.lua "http://127.0.0.1:$port" | tail -1)"
  rss_kb="$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")"
  echo "$result" | python3 -c "
import json, sys
r = json.load(sys.stdin)
r = {'second': $i * 10, 'requestsPerSecond': round(r['requests'] / r['seconds'], 1), **{k: r[k] for k in ('p50Ms', 'p99Ms', 'statuses', 'socketErrors')}, 'rssMb': round($rss_kb / 1024, 1)}
print(json.dumps(r))" | tee -a "$out"
done
echo "host log: $(wc -l < "$work/host.log") lines, $(wc -c < "$work/host.log") bytes"
