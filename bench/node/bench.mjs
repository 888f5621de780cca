// The competitors of bench/run.sh on the product's own encoder and corpus, one JSON line per system:
//   transformers.js: feature extraction with [CLS] pooling in arrival-order batches of 32 (padded to the longest, cut
//     at 512 tokens), as a Node service built on it would call it;
//   onnxruntime-node: the same encoder run directly, on transformers.js's token ids, in the product's schedule
//     (length-sorted batches under 4,096 tokens and 32 rows): the best plain ONNX Runtime does here.
// Both use 2 intra-op threads (the machine's cores). Usage:
//   node bench.mjs --corpus ../corpus.jsonl --package ../../models/default [--runs 3] [--limit N]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { env, pipeline, AutoTokenizer } from '@huggingface/transformers';
import * as ort from 'onnxruntime-node';
import { writeBertModelFolder } from '../../tests/Serverless.Classifier.Tests/TestData/reference/bert-model.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, value, i, all) => (i % 2 === 0 ? [...pairs, [value.replace(/^--/, ''), all[i + 1]]] : pairs), []));
const runs = Number(args.runs ?? 3);
const threads = Number(args.threads ?? 2);
const texts = fs.readFileSync(args.corpus, 'utf8').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l).text).slice(0, Number(args.limit ?? Infinity));
const manifest = JSON.parse(fs.readFileSync(path.join(args.package, 'manifest.json'), 'utf8'));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-model-'));
writeBertModelFolder({ vocabPath: path.join(args.package, manifest.tokenizer.file), encoderPath: path.join(args.package, manifest.encoder.file), outDir: folder, hiddenSize: manifest.encoder.hiddenSize });
env.allowRemoteModels = false;
env.localModelPath = path.dirname(folder);

function report(system, seconds, extra = {}) {
  const best = median(seconds);
  console.log(JSON.stringify({ system, texts: texts.length, runs: seconds.map((s) => Number(s.toFixed(3))), medianSeconds: Number(best.toFixed(3)), textsPerSecond: Number((texts.length / best).toFixed(1)), ...extra }));
}

// transformers.js, arrival order, batches of 32.
{
  const extractor = await pipeline('feature-extraction', path.basename(folder), { dtype: 'fp32', session_options: { intraOpNumThreads: threads, interOpNumThreads: 1 } });
  await extractor(texts.slice(0, 2), { pooling: 'cls' });
  const seconds = [];
  for (let run = 0; run < runs; run++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < texts.length; i += 32) {
      await extractor(texts.slice(i, i + 32), { pooling: 'cls' });
    }
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  report('transformers.js fp32, arrival-order batches of 32', seconds);
  await extractor.dispose();
}

// onnxruntime-node, the product's schedule.
{
  const tokenizer = await AutoTokenizer.from_pretrained(path.basename(folder));
  // encode() adds [CLS] ... [SEP]; an over-long text is cut as the product cuts it: [CLS], 510 word pieces, [SEP].
  const sep = tokenizer.sep_token_id;
  const rows = texts.map((t) => tokenizer.encode(t)).map((r) => (r.length > 512 ? [...r.slice(0, 511), sep] : r));
  const order = rows.map((_, i) => i).sort((a, b) => rows[a].length - rows[b].length || a - b);
  const batches = [];
  for (let start = 0; start < order.length;) {
    let end = start + 1;
    while (end < order.length && end - start < 32 && (end - start + 1) * rows[order[end]].length <= 4096) end++;
    batches.push(order.slice(start, end));
    start = end;
  }
  const session = await ort.InferenceSession.create(path.join(args.package, manifest.encoder.file), { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const feeds = (batch) => {
    const length = Math.max(...batch.map((i) => rows[i].length));
    const input = new BigInt64Array(batch.length * length);
    const mask = new BigInt64Array(batch.length * length);
    batch.forEach((index, row) => rows[index].forEach((id, t) => { input[row * length + t] = BigInt(id); mask[row * length + t] = 1n; }));
    const dims = [batch.length, length];
    const result = { [manifest.encoder.inputIds]: new ort.Tensor('int64', input, dims), [manifest.encoder.attentionMask]: new ort.Tensor('int64', mask, dims) };
    if (manifest.encoder.tokenTypeIds) result[manifest.encoder.tokenTypeIds] = new ort.Tensor('int64', new BigInt64Array(batch.length * length), dims);
    return result;
  };
  await session.run(feeds([order[0]]));
  const seconds = [];
  for (let run = 0; run < runs; run++) {
    const start = process.hrtime.bigint();
    for (const batch of batches) await session.run(feeds(batch));
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  report('onnxruntime-node fp32, length-sorted batches (the product\'s schedule)', seconds, { onnxruntimeNode: '1.30.0' });
  await session.release();
}

fs.rmSync(folder, { recursive: true, force: true });
