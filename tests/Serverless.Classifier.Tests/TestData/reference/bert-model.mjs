// Writes a transformers.js model folder for a BERT-uncased WordPiece vocabulary (and optionally an encoder ONNX):
// tokenizer.json with HF's BertNormalizer / BertPreTokenizer / WordPiece / [CLS] $A [SEP] template,
// tokenizer_config.json, config.json and onnx/model.onnx. The folder is what transformers.js loads offline.
import fs from 'node:fs';
import path from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';

export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

export function readVocab(vocabPath) {
  // NOTE: the packaged vocab.txt files have CRLF line endings; a token is a line without its line break.
  const lines = fs.readFileSync(vocabPath, 'utf8').split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  const vocab = {};
  lines.forEach((token, id) => { if (token.length > 0 && !(token in vocab)) vocab[token] = id; });
  return vocab;
}

export function writeBertModelFolder({ vocabPath, encoderPath, outDir, maxLength = 512, hiddenSize = 384 }) {
  const vocab = readVocab(vocabPath);
  const special = (token) => ({ id: vocab[token], content: token, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map(special),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [vocab['[CLS]']], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [vocab['[SEP]']], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
  };
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'tokenizer.json'), JSON.stringify(tokenizer));
  fs.writeFileSync(path.join(outDir, 'tokenizer_config.json'), JSON.stringify({
    tokenizer_class: 'BertTokenizer', do_lower_case: true, model_max_length: maxLength,
    cls_token: '[CLS]', sep_token: '[SEP]', pad_token: '[PAD]', unk_token: '[UNK]', mask_token: '[MASK]',
  }));
  fs.writeFileSync(path.join(outDir, 'config.json'), JSON.stringify({
    model_type: 'bert', architectures: ['BertModel'], hidden_size: hiddenSize, max_position_embeddings: maxLength,
    vocab_size: Object.keys(vocab).length, pad_token_id: vocab['[PAD]'],
  }));
  if (encoderPath) {
    fs.mkdirSync(path.join(outDir, 'onnx'), { recursive: true });
    const target = path.join(outDir, 'onnx', 'model.onnx');
    fs.rmSync(target, { force: true });
    fs.copyFileSync(encoderPath, target);
  }
  return vocab;
}

// NOTE: transformers.js 4.3.1's BertNormalizer tests CJK per UTF-16 unit, so astral ideographs (U+20000 and up) are
// never split out; HF's Python BasicTokenizer and Rust BertNormalizer (what models are trained with) test code points.
// This replaces that one method on a loaded tokenizer so the reference follows Python/Rust.
const isChineseChar = (cp) => (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x20000 && cp <= 0x2a6df)
  || (cp >= 0x2a700 && cp <= 0x2b73f) || (cp >= 0x2b740 && cp <= 0x2b81f) || (cp >= 0x2b820 && cp <= 0x2ceaf)
  || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x2f800 && cp <= 0x2fa1f);

export function followHuggingFace(tokenizer) {
  const normalizer = tokenizer._tokenizer.normalizer;
  normalizer.tokenize_chinese_chars = (text) => Array.from(text, (c) => (isChineseChar(c.codePointAt(0)) ? ` ${c} ` : c)).join('');
  return tokenizer;
}

// Writes the BERT-uncased model folder for a vocabulary under <here>/.model/bert-uncased and loads its tokenizer
// offline, following Hugging Face on CJK; returns the tokenizer and the vocabulary.
export async function loadReferenceTokenizer(here, vocabPath) {
  const modelDir = path.join(here, '.model', 'bert-uncased');
  const vocab = writeBertModelFolder({ vocabPath, outDir: modelDir });
  env.allowRemoteModels = false;
  env.localModelPath = path.dirname(modelDir);
  return { tokenizer: followHuggingFace(await AutoTokenizer.from_pretrained(path.basename(modelDir))), vocab };
}
