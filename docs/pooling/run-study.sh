#!/usr/bin/env bash
# The pooling study (docs/pooling.md): 2 data sets x 2 encoders x (cls, mean, max, last with linear and MLP heads,
# plus the first 4 token states concatenated with a linear head). Each text is encoded once, at most 256 tokens;
# features are cached in .study-cache/ so a rerun only retrains. About 20 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
(cd data && npm ci --no-audit --no-fund && node make-spam-split.mjs)   # data/spam/ (not committed)
dotnet build build/study/StudyEncoders.csproj                            # models/encoders/all-minilm-l6-v2/
dotnet build model-export -c Release
export_cmd="dotnet artifacts/bin/ModelExport/release/model-export.dll"
for dataset in sentiment spam; do
  for encoder in default encoders/all-minilm-l6-v2; do
    name=$(basename "$encoder")
    $export_cmd compare-pooling --train data/$dataset/train.jsonl --dev data/$dataset/dev.jsonl --test data/$dataset/test.jsonl \
      --encoder models/$encoder --pooling cls,mean,max,last --head linear --head mlp --flatten 4 --max-tokens 256 \
      --cache .study-cache --json docs/pooling/$dataset-$name.json
  done
done
python3 docs/pooling/plot.py
