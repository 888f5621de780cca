// Builds two sets of long documents whose label is decided only after token 700, so that a model that reads the first
// 512 tokens (truncation) cannot know it:
//   data/long/spam-test.jsonl      an e-mail thread: neutral filler, then one message of data/spam/test.jsonl (every
//                                  spam message and as many ham messages), which gives the thread its label.
//   data/long/sentiment-test.jsonl neutral filler, then one review sentence of data/sentiment/test.jsonl.
// The filler is ham messages of data/spam/test.jsonl (mailing-list and personal mail), never the deciding message
// itself, at least 700 whitespace-separated words. Every word is at least one word piece, so the deciding part starts
// after token 700. `decidingStart` is its character offset.
//
//   cd data && npm ci && node make-spam-split.mjs && node make-long-documents.mjs
//
// Not committed (about 8 MB); this script rebuilds both files byte for byte from the two splits.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const read = (file) => fs.readFileSync(path.join(here, file), 'utf8').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l));
const mail = read('spam/test.jsonl');
const ham = mail.filter((r) => r.label === 'ham');
const minimumWords = 700;

let next = 0;
function document(id, deciding, label) {
  const parts = [];
  let words = 0;
  while (words < minimumWords) {
    const filler = ham[next++ % ham.length];
    if (filler.id === id) continue;
    const text = filler.text.replace(/\s+/g, ' ').trim();
    parts.push(text);
    words += text.split(' ').length;
  }

  const prefix = parts.join(' ');
  return { id: `long-${id}`, text: `${prefix} ${deciding}`, label, decidingStart: prefix.length + 1 };
}

function write(name, rows) {
  fs.writeFileSync(path.join(here, 'long', `${name}.jsonl`), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const labels = Object.entries(rows.reduce((counts, r) => ({ ...counts, [r.label]: (counts[r.label] ?? 0) + 1 }), {}));
  console.log(`${name}: ${rows.length} documents (${labels.map(([l, n]) => `${n} ${l}`).join(', ')}), ` +
    `median ${rows.map((r) => r.text.length).sort((a, b) => a - b)[rows.length >> 1]} characters`);
}

fs.mkdirSync(path.join(here, 'long'), { recursive: true });
const spam = mail.filter((r) => r.label === 'spam');
// As many ham messages as spam ones, spread over the split (it is sorted by id).
const step = ham.length / spam.length;
const decidingHam = spam.map((_, i) => ham[Math.floor(i * step)]);
write('spam-test', [...spam, ...decidingHam].sort((a, b) => a.id.localeCompare(b.id)).map((m) => document(m.id, m.text, m.label)));
next = 0;
write('sentiment-test', read('sentiment/test.jsonl').map((s) => document(s.id, s.text, s.label)));
