// Writes bench/corpus.jsonl, the benchmark's mixed-length corpus of real texts: the SpamAssassin test split (e-mails,
// subject and body, cut at 2,000 characters) and the UCI sentiment test split (one-sentence reviews), shuffled with a
// fixed seed into one arrival order. 1,777 texts; with the default vocabulary the median is about 177 tokens and the
// 90th percentile is cut at 512. Rebuild (byte for byte):
//   (cd data && npm ci && node make-spam-split.mjs) && node bench/make-corpus.mjs
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const read = (file, source) => fs.readFileSync(path.join(root, file), 'utf8').split('\n').filter((l) => l.length > 0)
  .map((l) => ({ source, text: JSON.parse(l).text }));
const texts = [...read('data/spam/test.jsonl', 'email'), ...read('data/sentiment/test.jsonl', 'review')];

let seed = 11;
const random = () => {
  seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
for (let i = texts.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [texts[i], texts[j]] = [texts[j], texts[i]];
}

fs.writeFileSync(path.join(root, 'bench', 'corpus.jsonl'), texts.map((t) => JSON.stringify(t)).join('\n') + '\n');
console.log(`bench/corpus.jsonl: ${texts.length} texts`);
