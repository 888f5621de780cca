#!/usr/bin/env bash
# HTTP one-text requests at concurrency 16 against the in-process batch rate of the same texts, in one script (the
# check of "HTTP at c=16 is at least 0.8x the batch rate"): the batch path over bench/corpus.jsonl (3 passes), then the
# local host serving the same package under the .NET loader (2 x 20 s). Needs a Release build.
#   PACKAGE=models/default-int8 PORT=7393 bash bench/http-ratio.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/wait-ready.sh
package="${PACKAGE:-models/default-int8}"
port="${PORT:-7393}"
bench="dotnet artifacts/bin/Serverless.Classifier.Benchmarks/release/Serverless.Classifier.Benchmarks.dll"
batch="$($bench corpus --corpus bench/corpus.jsonl --package "$package" --runs 3)"
echo "$batch"
Classifier__ModelPath="$PWD/$package" dotnet artifacts/bin/Serverless.Classifier.LocalHost/release/Serverless.Classifier.LocalHost.dll \
  --urls "http://127.0.0.1:$port" > /dev/null 2>&1 &
host=$!
trap 'kill "$host" 2>/dev/null || true; wait "$host" 2>/dev/null || true' EXIT
wait_ready "$port"
for _ in 1 2; do
  http="$($bench http --url "http://127.0.0.1:$port" --corpus bench/corpus.jsonl --concurrency 16 --seconds 20)"
  echo "$http"
  python3 -c "import json,sys; b=json.loads(sys.argv[1]); h=json.loads(sys.argv[2]); print(f'HTTP c=16 / batch: {h[\"textsPerSecond\"] / b[\"textsPerSecond\"]:.2f}')" "$batch" "$http"
done
