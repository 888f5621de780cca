#!/usr/bin/env bash
# Cold start with a warm file cache: process start to first label, RUNS fresh processes per package (default 7), for
# the engine (bench harness `coldstart`: runtime start, hashes, sessions, first run) and for the CLI as users run it
# (`model-export classify TEXT`, wall time). Prints one JSON line per run and the medians. Needs a Release build.
#   RUNS=7 bash bench/coldstart.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${RUNS:-7}"
bench="dotnet artifacts/bin/Serverless.Classifier.Benchmarks/release/Serverless.Classifier.Benchmarks.dll"
cli="dotnet artifacts/bin/ModelExport/release/model-export.dll"
for package in models/default models/default-int8; do
  [ -f "$package/manifest.json" ] || continue
  $bench coldstart --package "$package" > /dev/null   # warms the file cache
  for _ in $(seq 1 "$runs"); do $bench coldstart --package "$package"; done | tee "/tmp/coldstart.$$.jsonl"
  python3 - "/tmp/coldstart.$$.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print(json.dumps({"package": rows[0]["package"], "medians": {k: statistics.median(r[k] for r in rows) for k in rows[0] if k != "package"}}))
PY
  times=()
  for _ in $(seq 1 "$runs"); do
    start=$(date +%s%N)
    $cli classify --model "$package" "The battery died after two days." > /dev/null
    times+=($(( ($(date +%s%N) - start) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | python3 -c "import json,statistics,sys; v=[int(x) for x in sys.stdin]; print(json.dumps({'cli': 'model-export classify', 'package': '$package', 'wallMs': v, 'medianMs': statistics.median(v)}))"
  rm -f "/tmp/coldstart.$$.jsonl"
done
