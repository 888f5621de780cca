"""Writes tiny Hugging Face-style sequence-classification checkpoints and torch reference logits for import-hf tests.

Run with Debian's torch (python3-torch), no transformers needed:

    /usr/bin/python3 tests/ModelExport.Tests/TestData/checkpoints/make_checkpoints.py

Each folder gets config.json, tokenizer_config.json, vocab.txt, model.safetensors (written by hand: an 8-byte
little-endian header length, a JSON header of dtype/shape/data_offsets, then raw little-endian tensors) and
reference.json: random pooled vectors and the logits torch computes for them with the same head modules
transformers uses (DistilBERT: pre_classifier -> ReLU -> classifier; BERT: pooler dense -> tanh -> classifier).
"""
import json
import os
import struct

import torch

HIDDEN = 8
LABELS = ["negative", "neutral", "positive"]
HERE = os.path.dirname(os.path.abspath(__file__))
VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "good", "bad", "movie", "##s", "!"]


def write_safetensors(path, tensors, dtype="F32"):
    header, blobs, offset = {}, [], 0
    for name, tensor in tensors.items():
        data = tensor.detach().contiguous().to(torch.float32 if dtype == "F32" else torch.float16).numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt"}
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * ((8 - len(encoded) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for blob in blobs:
            f.write(blob)


def write_common(folder, config, tokenizer_config):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump(tokenizer_config, f, indent=2)
    with open(os.path.join(folder, "vocab.txt"), "w") as f:
        f.write("\n".join(VOCAB) + "\n")


def reference(folder, head, pooled):
    with torch.no_grad():
        logits = head(pooled)
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump({"pooled": pooled.tolist(), "logits": logits.tolist()}, f)


def distilbert(seed, problem_type, dtype):
    torch.manual_seed(seed)
    pre_classifier, classifier = torch.nn.Linear(HIDDEN, HIDDEN), torch.nn.Linear(HIDDEN, len(LABELS))
    if dtype == "F16":
        # Round the weights to half precision first, so torch and our reader compute with the same values.
        for module in (pre_classifier, classifier):
            for p in module.parameters():
                p.data = p.data.half().float()
    folder = os.path.join(HERE, f"distilbert-{problem_type or 'single'}-{dtype.lower()}")
    config = {
        "architectures": ["DistilBertForSequenceClassification"], "model_type": "distilbert", "dim": HIDDEN,
        "n_layers": 1, "n_heads": 2, "hidden_dim": 16, "vocab_size": len(VOCAB), "max_position_embeddings": 64,
        "id2label": {str(i): label for i, label in enumerate(LABELS)}, "label2id": {l: i for i, l in enumerate(LABELS)},
        "seq_classif_dropout": 0.2,
    }
    if problem_type:
        config["problem_type"] = problem_type
    write_common(folder, config, {"do_lower_case": True, "model_max_length": 64, "tokenizer_class": "DistilBertTokenizer"})
    tensors = {
        "distilbert.embeddings.word_embeddings.weight": torch.randn(len(VOCAB), HIDDEN),
        "pre_classifier.weight": pre_classifier.weight, "pre_classifier.bias": pre_classifier.bias,
        "classifier.weight": classifier.weight, "classifier.bias": classifier.bias,
    }
    write_safetensors(os.path.join(folder, "model.safetensors"), tensors, dtype)
    head = torch.nn.Sequential(pre_classifier, torch.nn.ReLU(), classifier)
    reference(folder, head, torch.randn(5, HIDDEN))


def bert(seed):
    torch.manual_seed(seed)
    pooler, classifier = torch.nn.Linear(HIDDEN, HIDDEN), torch.nn.Linear(HIDDEN, len(LABELS))
    folder = os.path.join(HERE, "bert-single-f32")
    config = {
        "architectures": ["BertForSequenceClassification"], "model_type": "bert", "hidden_size": HIDDEN,
        "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 16, "vocab_size": len(VOCAB),
        "max_position_embeddings": 32, "type_vocab_size": 2,
        "id2label": {str(i): label for i, label in enumerate(LABELS)}, "label2id": {l: i for i, l in enumerate(LABELS)},
    }
    write_common(folder, config, {"do_lower_case": False, "model_max_length": 512, "tokenizer_class": "BertTokenizer"})
    tensors = {
        "bert.embeddings.word_embeddings.weight": torch.randn(len(VOCAB), HIDDEN),
        "bert.pooler.dense.weight": pooler.weight, "bert.pooler.dense.bias": pooler.bias,
        "classifier.weight": classifier.weight, "classifier.bias": classifier.bias,
    }
    write_safetensors(os.path.join(folder, "model.safetensors"), tensors)
    head = torch.nn.Sequential(pooler, torch.nn.Tanh(), classifier)
    reference(folder, head, torch.randn(5, HIDDEN))


def roberta():
    folder = os.path.join(HERE, "roberta-unsupported")
    write_common(folder, {"architectures": ["RobertaForSequenceClassification"], "model_type": "roberta", "hidden_size": HIDDEN,
                          "id2label": {"0": "a", "1": "b"}}, {"model_max_length": 512})
    write_safetensors(os.path.join(folder, "model.safetensors"), {"classifier.dense.weight": torch.zeros(HIDDEN, HIDDEN)})


def distilbert_missing_classifier():
    folder = os.path.join(HERE, "distilbert-missing-classifier")
    write_common(folder, {"architectures": ["DistilBertForSequenceClassification"], "model_type": "distilbert", "dim": HIDDEN,
                          "id2label": {"0": "a", "1": "b"}}, {"do_lower_case": True})
    write_safetensors(os.path.join(folder, "model.safetensors"),
                      {"pre_classifier.weight": torch.zeros(HIDDEN, HIDDEN), "pre_classifier.bias": torch.zeros(HIDDEN)})


if __name__ == "__main__":
    distilbert(1, None, "F32")
    distilbert(2, "multi_label_classification", "F16")
    bert(3)
    roberta()
    distilbert_missing_classifier()
    print("wrote checkpoints under", HERE)
