// Generates pooled-golden.jsonl: [CLS] and mean pooled vectors of the default encoder (arctic-embed-xs, ONNX, fp32)
// for 200 sentences of tokenizer-golden.jsonl, from transformers.js feature extraction (onnxruntime-node).
//
//   cd tests/Serverless.Classifier.Tests/TestData/reference && npm ci && node make-pooled-golden.mjs
//
// Needs models/default/encoder.onnx and vocab.txt (extracted by `dotnet build`). Vectors are not normalized.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pipeline, env } from '@huggingface/transformers';
import { followHuggingFace, writeBertModelFolder } from './bert-model.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../../..');
const modelDir = path.join(here, '.model', 'arctic-embed-xs');
writeBertModelFolder({
  vocabPath: path.join(repoRoot, 'models/default/vocab.txt'),
  encoderPath: path.join(repoRoot, 'models/default/encoder.onnx'),
  outDir: modelDir,
});

env.allowRemoteModels = false;
env.localModelPath = path.dirname(modelDir);
const extractor = await pipeline('feature-extraction', path.basename(modelDir), { dtype: 'fp32', device: 'cpu' });
followHuggingFace(extractor.tokenizer);

// Every 14th golden sentence that is not empty after tokenization: a spread of sources, lengths and hard cases.
const golden = fs.readFileSync(path.join(here, '..', 'tokenizer-golden.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const chosen = golden.filter((row, i) => i % 14 === 0 && row.ids.length > 2).slice(0, 200);

const round = (x) => Math.round(x * 1e7) / 1e7;
const out = [];
for (const { text } of chosen) {
  const cls = await extractor(text, { pooling: 'cls', normalize: false });
  const mean = await extractor(text, { pooling: 'mean', normalize: false });
  out.push(JSON.stringify({ text, cls: Array.from(cls.data, round), mean: Array.from(mean.data, round) }));
}
const target = path.join(here, '..', 'pooled-golden.jsonl');
fs.writeFileSync(target, out.join('\n') + '\n');
console.log(`wrote ${out.length} pooled vectors to ${path.relative(process.cwd(), target)}`);
