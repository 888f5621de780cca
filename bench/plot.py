"""Draws bench/run.sh's results (JSON Lines) as a horizontal bar chart of texts/s, as SVG, with no plotting library.

    python3 bench/plot.py docs/benchmarks/results.jsonl docs/benchmarks/throughput.svg
"""
import json
import sys
from html import escape

source, target = sys.argv[1], sys.argv[2]
lines = [json.loads(line) for line in open(source, encoding="utf-8") if line.strip()]
machine = lines[0]
rows = [line for line in lines[1:] if "textsPerSecond" in line]
width, left, bar, gap, top = 960, 500, 22, 10, 60
height = top + len(rows) * (bar + gap) + 40
scale = (width - left - 90) / max(row["textsPerSecond"] for row in rows)
parts = [
    f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="13">',
    f'<rect width="{width}" height="{height}" fill="white"/>',
    f'<text x="10" y="22" font-size="15" font-weight="bold">Texts per second on bench/corpus.jsonl ({rows[0]["texts"] if "texts" in rows[0] else ""} texts, same encoder)</text>',
    f'<text x="10" y="42" fill="#555">{escape(machine["cpu"])}, {machine["cores"]} cores, {" ".join(machine["flags"])}; {machine["date"]}, commit {machine["commit"]}</text>',
]
for i, row in enumerate(rows):
    y = top + i * (bar + gap)
    product = row["system"].startswith("product")
    colour = "#2b6cb0" if product else "#a0aec0"
    label = (f'product HTTP, 1 text/request, c={row["concurrency"]} (p50 {round(row["p50Ms"])} ms, p99 {round(row["p99Ms"])} ms)'
             if "p50Ms" in row else row["system"].replace(" (the product's schedule)", ", product's schedule"))
    parts.append(f'<text x="{left - 8}" y="{y + bar - 6}" text-anchor="end">{escape(label)}</text>')
    parts.append(f'<rect x="{left}" y="{y}" width="{row["textsPerSecond"] * scale:.1f}" height="{bar}" fill="{colour}"/>')
    parts.append(f'<text x="{left + row["textsPerSecond"] * scale + 6:.1f}" y="{y + bar - 6}">{row["textsPerSecond"]}</text>')
parts.append("</svg>")
open(target, "w", encoding="utf-8").write("\n".join(parts) + "\n")
print(f"{target}: {len(rows)} systems")
