"""Exports the encoder of a Hugging Face checkpoint to ONNX for `model-export import-hf`.

    python model-export/export_encoder.py --checkpoint ./my-finetuned-distilbert --out encoder.onnx

Needs torch and transformers (and, for the check at the end, onnxruntime). The graph takes input_ids and
attention_mask (and token_type_ids when the model has them; DistilBERT does not), int64 [batch, sequence], and
returns last_hidden_state, float [batch, sequence, hidden]: what the runtime pools and feeds to the head that
import-hf builds from the checkpoint's own weights. The equivalent with Optimum:

    optimum-cli export onnx --model ./my-finetuned-distilbert --task feature-extraction onnx-out/   # onnx-out/model.onnx
"""
import argparse
import inspect

import torch
from transformers import AutoModel, AutoTokenizer


class LastHiddenState(torch.nn.Module):
    def __init__(self, model, names):
        super().__init__()
        self.model = model
        self.names = names

    def forward(self, *inputs):
        return self.model(**dict(zip(self.names, inputs)), return_dict=True).last_hidden_state


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", required=True, help="checkpoint folder (save_pretrained output) or hub id")
    parser.add_argument("--out", required=True, help="ONNX file to write")
    parser.add_argument("--opset", type=int, default=17)
    args = parser.parse_args()

    # AutoModel loads the base encoder of a *ForSequenceClassification checkpoint and leaves its head out.
    model = AutoModel.from_pretrained(args.checkpoint).eval()
    tokenizer = AutoTokenizer.from_pretrained(args.checkpoint)
    sample = tokenizer(["hello world", "a second, longer sentence to pad against"], padding=True, return_tensors="pt")
    accepted = inspect.signature(model.forward).parameters
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in sample and n in accepted]
    axes = {n: {0: "batch", 1: "sequence"} for n in names}
    axes["last_hidden_state"] = {0: "batch", 1: "sequence"}
    with torch.no_grad():
        torch.onnx.export(
            LastHiddenState(model, names), tuple(sample[n] for n in names), args.out,
            input_names=names, output_names=["last_hidden_state"], dynamic_axes=axes,
            opset_version=args.opset, do_constant_folding=True)
        expected = model(**{n: sample[n] for n in names}).last_hidden_state.numpy()

    try:
        import onnxruntime
    except ImportError:
        print(f"wrote {args.out} (inputs {names}); install onnxruntime to check it against torch")
        return
    session = onnxruntime.InferenceSession(args.out, providers=["CPUExecutionProvider"])
    actual = session.run(["last_hidden_state"], {n: sample[n].numpy() for n in names})[0]
    difference = abs(actual - expected).max()
    print(f"wrote {args.out} (inputs {names}); largest difference from torch {difference:.2e}")
    if difference > 1e-4:
        raise SystemExit("the ONNX encoder does not match torch within 1e-4")


if __name__ == "__main__":
    main()
