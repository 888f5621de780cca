#!/usr/bin/env bash
# The benchmark harness: on one committed corpus of real texts (bench/corpus.jsonl: 1,777 e-mails and reviews, median
# about 177 tokens), side by side in one run on this machine:
#   1. the product's batch path (the classifier a job uses) on the fp32 package and its int8 packages (with and without
#      the [CLS]-only last layer), interleaved in one process so their ratios come from the same minutes;
#   2. the product over HTTP (the local host), one text per request, at concurrency 1, 16 and 64;
#   3. transformers.js (feature extraction, [CLS] pooling, arrival-order batches of 32) and onnxruntime-node (the same
#      encoder in the product's schedule), both fp32 on the same encoder.
# Results: one JSON line per system in $OUT (default docs/benchmarks/results.jsonl, with the CPU and its flags first)
# and a bar chart (docs/benchmarks/throughput.svg). Needs a Release build (dotnet build Serverless.sln -c Release) and
# npm (installs bench/node). Sends traffic to 127.0.0.1 only. About 15 minutes on 2 cores.
#   RUNS=3 NODE_RUNS=2 PORT=7392 bash bench/run.sh   (transformers.js takes about 4 minutes a run)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/wait-ready.sh
runs="${RUNS:-3}"
port="${PORT:-7392}"
seconds="${SECONDS_PER_LEVEL:-20}"
out="${OUT:-docs/benchmarks/results.jsonl}"
bench="dotnet artifacts/bin/Serverless.Classifier.Benchmarks/release/Serverless.Classifier.Benchmarks.dll"
work="$(mktemp -d)"
host=""
trap '[ -n "$host" ] && kill "$host" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$(dirname "$out")"

flags="$(grep -o -w 'avx2\|avx512f\|avx512_vnni\|avx_vnni' /proc/cpuinfo | sort -u | tr '\n' ' ' | sed 's/ $//')"
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
python3 -c "import json,sys; print(json.dumps({'date': sys.argv[1], 'cpu': sys.argv[2], 'cores': int(sys.argv[3]), 'flags': sys.argv[4].split(), 'commit': sys.argv[5]}))" \
  "$(date -u +%Y-%m-%dT%H:%MZ)" "$cpu" "$(nproc)" "$flags" "$(git rev-parse --short HEAD)" | tee "$out"

# The int8 packages: the one the build made (models/default-int8: calibrated, [CLS]-only last layer), else the same
# recipe now; and that recipe with every layer whole (--full-last-layer), for the int8 ratio without the [CLS]-only rewrite.
me="dotnet artifacts/bin/ModelExport/release/model-export.dll"
calibration=(--calibration-data data/sentiment/train.jsonl data/sentiment/dev.jsonl --check-data data/sentiment/test.jsonl)
int8=models/default-int8
if [ ! -f "$int8/manifest.json" ]; then
  int8="$work/int8"
  $me quantize --out "$int8" "${calibration[@]}" > "$work/quantize.json"
fi
full="$work/int8-full-last-layer"
$me quantize --out "$full" --full-last-layer "${calibration[@]}" > "$work/quantize-full.json"

# The batch path of fp32 and both int8 packages in one process, interleaved chunk by chunk: ratios from the same run.
$bench corpus-ratio --corpus bench/corpus.jsonl --packages "models/default,$full,$int8" --runs "$runs" | tee -a "$out"

# HTTP: the local host serving the package the product serves by default.
served=models/default
[ -f models/default-int8/manifest.json ] && served=models/default-int8
Classifier__ModelPath="$served" dotnet artifacts/bin/Serverless.Classifier.LocalHost/release/Serverless.Classifier.LocalHost.dll \
  --urls "http://127.0.0.1:$port" > "$work/host.log" 2>&1 &
host=$!
wait_ready "$port" "$work/host.log"
for concurrency in 1 16 64; do
  $bench http --url "http://127.0.0.1:$port" --corpus bench/corpus.jsonl --concurrency "$concurrency" --seconds "$seconds" | tee -a "$out"
done
kill "$host"; wait "$host" 2>/dev/null || true; host=""

(cd bench/node && npm ci --no-audit --no-fund > /dev/null)
node bench/node/bench.mjs --corpus bench/corpus.jsonl --package models/default --runs "${NODE_RUNS:-2}" | tee -a "$out"

python3 bench/plot.py "$out" "${PLOT:-docs/benchmarks/throughput.svg}"
