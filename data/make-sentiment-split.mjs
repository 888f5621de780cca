// Splits the UCI Sentiment Labelled Sentences (Kotzias et al., KDD 2015; shipped by npm sentiment@5.0.2 as test
// fixtures) into data/sentiment/{train,dev,test}.jsonl: 70/10/20, stratified by source and label, seeded.
//
//   cd data && npm ci && node make-sentiment-split.mjs
//
// Exact duplicate texts (after trimming) are kept once, so no sentence is in two splits.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const fixtures = path.join(path.dirname(require.resolve('sentiment/package.json')), 'test/fixtures');

let seed = 42;
const random = () => {
  seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const seen = new Set();
const splits = { train: [], dev: [], test: [] };
for (const source of ['amazon', 'imdb', 'yelp']) {
  const rows = JSON.parse(fs.readFileSync(path.join(fixtures, `${source}.json`), 'utf8'));
  for (const label of [0, 1]) {
    const group = [];
    rows.forEach((row, index) => {
      const text = row.text.trim();
      if (row.class !== label || text.length === 0 || seen.has(text)) return;
      seen.add(text);
      group.push({ id: `${source}-${String(index + 1).padStart(4, '0')}`, text, label: label === 1 ? 'positive' : 'negative' });
    });
    const shuffled = group.map((x) => [random(), x]).sort((a, b) => a[0] - b[0]).map((x) => x[1]);
    const trainEnd = Math.round(shuffled.length * 0.7);
    const devEnd = Math.round(shuffled.length * 0.8);
    splits.train.push(...shuffled.slice(0, trainEnd));
    splits.dev.push(...shuffled.slice(trainEnd, devEnd));
    splits.test.push(...shuffled.slice(devEnd));
  }
}

fs.mkdirSync(path.join(here, 'sentiment'), { recursive: true });
for (const [name, rows] of Object.entries(splits)) {
  rows.sort((a, b) => a.id.localeCompare(b.id));
  fs.writeFileSync(path.join(here, 'sentiment', `${name}.jsonl`), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  console.log(`${name}: ${rows.length} sentences`);
}
