#!/usr/bin/env python3
"""sig-boxes.py FILE -- the visible signature widgets of FILE, read with pyHanko's PDF
reader (an outside reader, not KýSố's), as JSON:

  [{"field": "Signature1", "page": 2, "boxMm": [x, y, w, h], "pageSizeMm": [w, h]}, ...]

page is 1-based; boxMm is in millimetres from the page's top-left corner (CropBox, else
MediaBox, inherited through the page tree), like the app's preview boxes. Widgets in
page order, then in /Annots order.
"""
import json
import sys

from pyhanko.pdf_utils.reader import PdfFileReader

PT_MM = 25.4 / 72


def obj(x):
    return x.get_object() if hasattr(x, "get_object") else x


def pages(node, inherited, out, depth=0):
    node = obj(node)
    if depth > 64:
        return
    box = inherited
    for key in ("/CropBox", "/MediaBox"):
        if key in node and box is inherited:
            box = [float(v) for v in obj(node[key])]
            break
    if node.get("/Type") == "/Pages" or "/Kids" in node:
        for kid in obj(node["/Kids"]):
            pages(kid, box, out, depth + 1)
    else:
        out.append((node, box))


def field_type(widget):
    w, depth = widget, 0
    while w is not None and depth < 32:
        if "/FT" in w:
            return w["/FT"]
        w = obj(w["/Parent"]) if "/Parent" in w else None
        depth += 1
    return None


def field_name(widget):
    parts, w, depth = [], widget, 0
    while w is not None and depth < 32:
        if "/T" in w:
            parts.append(str(w["/T"]))
        w = obj(w["/Parent"]) if "/Parent" in w else None
        depth += 1
    return ".".join(reversed(parts))


def main():
    with open(sys.argv[1], "rb") as f:
        r = PdfFileReader(f, strict=False)
        found = []
        page_list = []
        pages(r.root["/Pages"], None, page_list)
        for i, (page, box) in enumerate(page_list):
            x0, y0, x1, y1 = min(box[0], box[2]), min(box[1], box[3]), max(box[0], box[2]), max(box[1], box[3])
            for a in obj(page.get("/Annots", [])) or []:
                a = obj(a)
                if a.get("/Subtype") != "/Widget" or field_type(a) != "/Sig":
                    continue
                rx0, ry0, rx1, ry1 = [float(v) for v in obj(a["/Rect"])]
                rx0, rx1, ry0, ry1 = min(rx0, rx1), max(rx0, rx1), min(ry0, ry1), max(ry0, ry1)
                if rx1 - rx0 <= 1 or ry1 - ry0 <= 1:
                    continue
                found.append({
                    "field": field_name(a),
                    "page": i + 1,
                    "boxMm": [(rx0 - x0) * PT_MM, (y1 - ry1) * PT_MM, (rx1 - rx0) * PT_MM, (ry1 - ry0) * PT_MM],
                    "pageSizeMm": [(x1 - x0) * PT_MM, (y1 - y0) * PT_MM],
                })
        json.dump(found, sys.stdout)


if __name__ == "__main__":
    main()
