#!/usr/bin/env bash
# The cost of chunking, as a ratio within one run: `model-export evaluate` on a fixed sample of the long spam threads
# (data/long/spam-test.jsonl), truncated and chunked with 512- and 256-token windows, ROUNDS alternating rounds
# (default 3), medians of the wall times (process start and load included), and the accuracy of each setting read as
# "is there spam". Needs a Release build, the long documents and a spam head package (docs/chunking.md says how):
#   (cd data && npm ci && node make-spam-split.mjs && node make-long-documents.mjs)
#   SPAM_PACKAGE=/tmp/spam-pkg bash bench/chunking.sh      # trains the spam head into /tmp/spam-pkg when it is missing
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${ROUNDS:-3}"
sample="${SAMPLE:-100}"
package="${SPAM_PACKAGE:-/tmp/spam-pkg}"
cli="dotnet artifacts/bin/ModelExport/release/model-export.dll"
[ -f data/long/spam-test.jsonl ] || { echo "data/long/spam-test.jsonl is missing; see the header of this script" >&2; exit 1; }
if [ ! -f "$package/manifest.json" ]; then
  $cli train-head --train data/spam/train.jsonl --dev data/spam/dev.jsonl --encoder models/default --name spam --model-name arctic-xs-spam --out "$package" > /dev/null
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 - "$sample" "$work/sample.jsonl" <<'PY'
import json, random, sys
rows = [json.loads(line) for line in open('data/long/spam-test.jsonl')]
random.seed(5)
open(sys.argv[2], 'w').write(''.join(json.dumps(r) + '\n' for r in random.sample(rows, int(sys.argv[1]))))
PY
settings=("truncation" "--chunking --chunk-aggregate max" "--chunking --chunk-size 256 --chunk-aggregate max")
for round in $(seq 1 "$rounds"); do
  for setting in "${settings[@]}"; do
    args="${setting/truncation/}"
    start=$(date +%s%N)
    # shellcheck disable=SC2086
    accuracy=$($cli evaluate --model "$package" --data "$work/sample.jsonl" $args --positive-label spam | python3 -c "import json,sys; print(json.load(sys.stdin)['report']['accuracy'])")
    echo "{\"round\": $round, \"setting\": \"$setting\", \"wallMs\": $(( ($(date +%s%N) - start) / 1000000 )), \"accuracy\": $accuracy}"
  done
done | tee "$work/runs.jsonl"
python3 - "$work/runs.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
medians = {s: statistics.median(r['wallMs'] for r in rows if r['setting'] == s) for s in dict.fromkeys(r['setting'] for r in rows)}
base = medians['truncation']
print(json.dumps({'medianMs': medians, 'ratioToTruncation': {s: round(m / base, 2) for s, m in medians.items()},
                  'accuracy': {r['setting']: r['accuracy'] for r in rows}}))
PY
