#!/usr/bin/env python3
"""Writes the books of `make bench`'s scaling table: one input shape at a scale factor.

    benches/shapes.py SHAPE FACTOR DIR

Each shape stresses one dimension of the input, so that time and memory can be seen to grow
with it about linearly (factor 1, 2, 4, 8). The prose is filler made for this purpose.
"""
import json
import os
import sys

shape, factor, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.makedirs(os.path.join(out, "h"), exist_ok=True)
words = "ouders kinderen opvoeding steun gezin preventie school wijk buurt hulp".split()


def sentence(i, n=14):
    return " ".join(words[(i * 7 + k * 3) % len(words)] for k in range(n)).capitalize() + "."


yaml = ["title: Schaal", "authors: [Druk]", "language: nl", "year: 2026", "chapters:"]
body = ["# Hoofdstuk", ""]
if shape == "markers":
    # One paragraph of delimiters that never close (`*a [b _c `), 10,000 per factor: the
    # shape that makes emphasis and link matching quadratic in naive parsers.
    body.append("*a [b _c " * (10_000 * factor))
elif shape == "footnotes":
    # One paragraph with 5,000 notes per factor.
    body.append(" ".join(f"woord[^n{i}]" for i in range(5_000 * factor)))
    body.append("")
    body += [f"[^n{i}]: Noot {i}." for i in range(5_000 * factor)]
elif shape == "paragraph":
    # One paragraph of about 0.25 MB per factor.
    body.append(" ".join(sentence(i) for i in range(2_500 * factor)))
elif shape == "bibliography":
    # A minified CSL-JSON file of 1,000 works per factor, each cited once.
    n = 1_000 * factor
    refs = [
        {
            "id": f"k{i}",
            "type": "book",
            "title": f"Werk {i}",
            "author": [{"family": f"Auteur{i}", "given": "A."}],
            "issued": {"date-parts": [[1950 + i % 70]]},
            "publisher": "Uitgeverij",
        }
        for i in range(n)
    ]
    with open(os.path.join(out, "bronnen.json"), "w") as f:
        json.dump(refs, f, separators=(",", ":"))
    yaml[4:4] = ["bibliography: bronnen.json", "back: [literatuur]"]
    body += [f"{sentence(i, 6)} [@k{i}]" + "\n" for i in range(n)]
elif shape == "sections":
    # 400 sections per factor, each with a paragraph and a cross-reference back.
    for i in range(400 * factor):
        body += [f"## Paragraaf {i} {{#sec-p{i}}}", "", sentence(i) + (f" Zie @sec-p{i - 1}." if i else ""), ""]
else:
    sys.exit(f"unknown shape {shape}")
with open(os.path.join(out, "h", "01.md"), "w") as f:
    f.write("\n".join(body) + "\n")
yaml.append("  - h/01.md")
with open(os.path.join(out, "book.yaml"), "w") as f:
    f.write("\n".join(yaml) + "\n")
