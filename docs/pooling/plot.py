"""Draws docs/pooling/pooling.svg from the compare-pooling results (docs/pooling/*.json): test accuracy per pooling,
one panel per data set and encoder, linear and MLP heads side by side. Standard library only.

    python3 docs/pooling/plot.py
"""
import glob
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
PANELS = [("sentiment", "default", "UCI sentiment, arctic-embed-xs (CLS-trained)"),
          ("sentiment", "all-minilm-l6-v2", "UCI sentiment, all-MiniLM-L6-v2 (mean-trained)"),
          ("spam", "default", "SpamAssassin, arctic-embed-xs (CLS-trained)"),
          ("spam", "all-minilm-l6-v2", "SpamAssassin, all-MiniLM-L6-v2 (mean-trained)")]
COLORS = {"linear": "#4c78a8", "mlp": "#f58518"}
W, H, PAD = 460, 260, 48


def panel(x0, y0, title, results):
    poolings = []
    for r in results:
        if r["pooling"] not in poolings:
            poolings.append(r["pooling"])
    low = min(r["testAccuracy"] for r in results) - 0.02
    high = max(r["testAccuracy"] for r in results) + 0.01
    low, high = max(0.0, round(low, 2)), min(1.0, round(high + 0.005, 2))
    plot_w, plot_h = W - PAD - 12, H - PAD - 40
    scale = lambda v: y0 + 30 + plot_h - (v - low) / (high - low) * plot_h
    out = [f'<text x="{x0 + W / 2}" y="{y0 + 16}" text-anchor="middle" font-size="13" font-weight="bold">{title}</text>']
    for i in range(6):
        v = low + (high - low) * i / 5
        y = scale(v)
        out.append(f'<line x1="{x0 + PAD}" x2="{x0 + PAD + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{x0 + PAD - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="10">{v:.3f}</text>')
    group = plot_w / len(poolings)
    for i, pooling in enumerate(poolings):
        heads = [r for r in results if r["pooling"] == pooling]
        bar = group * 0.8 / 2
        for j, r in enumerate(heads):
            x = x0 + PAD + i * group + group * 0.1 + j * bar
            y = scale(r["testAccuracy"])
            out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar - 2:.1f}" height="{scale(low) - y:.1f}" fill="{COLORS[r["head"]]}">'
                       f'<title>{pooling} {r["head"]}: {r["testAccuracy"]:.4f}</title></rect>')
            out.append(f'<text x="{x + (bar - 2) / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-size="8">{r["testAccuracy"]:.3f}</text>')
        out.append(f'<text x="{x0 + PAD + i * group + group / 2:.1f}" y="{scale(low) + 14:.1f}" text-anchor="middle" font-size="11">{pooling}</text>')
    return out


def main():
    data = {}
    for path in glob.glob(os.path.join(HERE, "*.json")):
        name = os.path.splitext(os.path.basename(path))[0]
        dataset, encoder = name.split("-", 1)
        data[(dataset, encoder)] = json.load(open(path))["results"]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * W}" height="{2 * H + 30}" font-family="sans-serif">',
             '<rect width="100%" height="100%" fill="white"/>']
    for index, (dataset, encoder, title) in enumerate(PANELS):
        if (dataset, encoder) in data:
            parts += panel((index % 2) * W, (index // 2) * H, title, data[(dataset, encoder)])
    legend_y = 2 * H + 16
    for k, (head, color) in enumerate(COLORS.items()):
        parts.append(f'<rect x="{20 + k * 110}" y="{legend_y - 10}" width="12" height="12" fill="{color}"/>')
        parts.append(f'<text x="{36 + k * 110}" y="{legend_y}" font-size="12">{head} head</text>')
    parts.append(f'<text x="{2 * W - 10}" y="{legend_y}" text-anchor="end" font-size="11">test accuracy (y axes do not start at 0); flatten4 = first 4 token states concatenated, linear head only</text>')
    parts.append("</svg>")
    with open(os.path.join(HERE, "pooling.svg"), "w") as f:
        f.write("\n".join(parts) + "\n")
    print("wrote", os.path.join(HERE, "pooling.svg"))


if __name__ == "__main__":
    main()
