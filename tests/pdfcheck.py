#!/usr/bin/env python3
"""Structural checks of druk's PDF editions with pikepdf (run by tests/suite/printready.rs).

    pdfcheck.py print  FILE --epoch N [--signature 16]
    pdfcheck.py screen FILE

print: every page's content, images, forms and graphics states use only DeviceCMYK,
DeviceGray and the registration Separation /All; no transparency (soft masks, alpha,
blend modes, transparency groups); no annotations; every font embedded; TrimBox inside
BleedBox inside MediaBox; a PDF/X OutputIntent with a CMYK profile; GTS_PDFXVersion
PDF/X-4 and /Trapped /False in Info; XMP that parses and carries PDF/X-4 and the dates
of SOURCE_DATE_EPOCH; PDF 1.6; an even page count (or whole signatures).

screen: live links (internal and URI), no bleed (every box the trim), RGB and no CMYK,
the outline open (/PageMode /UseOutlines), /Lang and XMP metadata.

Prints a summary and exits 1 with the problems found.
"""

import argparse
import datetime
import sys
from collections import Counter

import pikepdf
from pikepdf import Name

PROBLEMS = []


def problem(msg):
    PROBLEMS.append(msg)


def name_of(cs):
    """The family name of a colour space object: /DeviceCMYK, /Separation, ..."""
    if isinstance(cs, pikepdf.Array):
        return str(cs[0])
    return str(cs)


def check_space(cs, where, print_edition, seen):
    family = name_of(cs)
    seen[family] += 1
    if not print_edition:
        return
    if family in ("/DeviceCMYK", "/DeviceGray"):
        return
    if family == "/Separation" and str(cs[1]) == "/All" and str(cs[2]) == "/DeviceCMYK":
        return
    problem(f"{where}: colour space {family} in the print edition")


def walk(resources, content_ops, where, print_edition, seen, visited):
    """Colour operators of a content stream and what its resources draw."""
    spaces = resources.get("/ColorSpace", pikepdf.Dictionary())
    for operands, op in content_ops:
        op = str(op)
        if op in ("rg", "RG"):
            seen["/DeviceRGB"] += 1
            if print_edition:
                problem(f"{where}: RGB colour operator {op}")
        elif op in ("k", "K"):
            seen["/DeviceCMYK"] += 1
        elif op in ("g", "G"):
            seen["/DeviceGray"] += 1
        elif op in ("cs", "CS"):
            key = str(operands[0])
            cs = spaces.get(key, Name(key))
            check_space(cs, where, print_edition, seen)
        elif op in ("sh", "BI"):
            if print_edition:
                problem(f"{where}: unchecked operator {op}")
    for key, gs in resources.get("/ExtGState", {}).items():
        smask = gs.get("/SMask", Name("/None"))
        if smask != Name("/None"):
            problem(f"{where}: soft mask in graphics state {key}")
        for a in ("/CA", "/ca"):
            if float(gs.get(a, 1)) != 1.0:
                problem(f"{where}: alpha {a} in graphics state {key}")
        if str(gs.get("/BM", "/Normal")) not in ("/Normal", "/Compatible"):
            problem(f"{where}: blend mode in graphics state {key}")
    for key, xo in resources.get("/XObject", {}).items():
        if xo.objgen in visited:
            continue
        visited.add(xo.objgen)
        sub = str(xo.get("/Subtype"))
        if sub == "/Image":
            check_space(xo.get("/ColorSpace", Name("/None")), f"{where} image {key}", print_edition, seen)
            seen["images"] += 1
            if "/SMask" in xo or "/Mask" in xo:
                problem(f"{where}: image {key} has a mask (transparency)")
        elif sub == "/Form":
            if "/Group" in xo:
                problem(f"{where}: form {key} is a transparency group")
            walk(xo.get("/Resources", pikepdf.Dictionary()), pikepdf.parse_content_stream(xo),
                 f"{where} form {key}", print_edition, seen, visited)


def box(page, name):
    return [round(float(v), 2) for v in page.obj.get(name, page.mediabox)]


def inside(inner, outer):
    return (inner[0] >= outer[0] - 0.01 and inner[1] >= outer[1] - 0.01
            and inner[2] <= outer[2] + 0.01 and inner[3] <= outer[3] + 0.01)


def fonts_embedded(pdf):
    n = 0
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == Name("/FontDescriptor"):
            n += 1
            if not any(k in obj for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                problem(f"font {obj.get('/FontName')} is not embedded")
    return n


def check_print(pdf, args):
    seen = Counter()
    visited = set()
    for i, page in enumerate(pdf.pages, 1):
        where = f"page {i}"
        walk(page.resources, pikepdf.parse_content_stream(page), where, True, seen, visited)
        if "/Annots" in page.obj:
            problem(f"{where}: has /Annots")
        if "/Group" in page.obj:
            problem(f"{where}: transparency group")
        trim, bleed, media = box(page, "/TrimBox"), box(page, "/BleedBox"), box(page, "/MediaBox")
        if "/TrimBox" not in page.obj or "/BleedBox" not in page.obj:
            problem(f"{where}: no TrimBox or BleedBox")
        if not (inside(trim, bleed) and inside(bleed, media)):
            problem(f"{where}: boxes do not nest: trim {trim} bleed {bleed} media {media}")
    n = len(pdf.pages)
    multiple = args.signature or 2
    if n % multiple:
        problem(f"{n} pages is not a multiple of {multiple}")
    if pdf.pdf_version != "1.6":
        problem(f"PDF version {pdf.pdf_version}")

    # PDF/X identification.
    info = pdf.trailer.Info
    if str(info.get("/GTS_PDFXVersion", "")) != "PDF/X-4":
        problem(f"Info GTS_PDFXVersion is {info.get('/GTS_PDFXVersion')!r}")
    if info.get("/Trapped") != Name("/False"):
        problem(f"Info Trapped is {info.get('/Trapped')!r}")
    intents = pdf.Root.get("/OutputIntents", [])
    pdfx = [oi for oi in intents if oi.get("/S") == Name("/GTS_PDFX")]
    if len(pdfx) != 1:
        problem(f"{len(pdfx)} GTS_PDFX OutputIntents")
        profile = b""
    else:
        oi = pdfx[0]
        profile = oi.DestOutputProfile.read_bytes()
        if int(oi.DestOutputProfile.get("/N", 0)) != 4 or profile[16:20] != b"CMYK":
            problem("the output profile is not CMYK")
        if not str(oi.get("/OutputConditionIdentifier", "")):
            problem("no OutputConditionIdentifier")

    # XMP, with the dates of SOURCE_DATE_EPOCH.
    want = datetime.datetime.fromtimestamp(args.epoch, datetime.timezone.utc)
    meta = pdf.open_metadata()
    got = {}
    for key in ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate"):
        value = meta.get(key)
        got[key] = value
        try:
            when = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            problem(f"XMP {key} is not ISO 8601: {value!r}")
            continue
        if when != want:
            problem(f"XMP {key} is {value}, want {want.isoformat()}")
    expect = {
        "pdfxid:GTS_PDFXVersion": "PDF/X-4",
        "pdf:Trapped": "False",
    }
    for key, value in expect.items():
        if meta.get(key) != value:
            problem(f"XMP {key} is {meta.get(key)!r}, want {value!r}")
    for key in ("dc:title", "dc:creator", "dc:language", "pdf:Producer",
                "xmpMM:DocumentID", "xmpMM:InstanceID"):
        if not meta.get(key):
            problem(f"XMP has no {key}")
    if "/Metadata" not in pdf.Root:
        problem("no /Metadata in the catalog")
    fonts = fonts_embedded(pdf)
    print(f"print: {n} pages (multiple of {multiple}), PDF {pdf.pdf_version}, {fonts} fonts embedded")
    print(f"print: colour uses {dict(sorted(seen.items()))}")
    print(f"print: OutputIntent {pdfx[0].get('/OutputConditionIdentifier') if pdfx else None}"
          f" ({len(profile)} byte profile), Info GTS_PDFXVersion {info.get('/GTS_PDFXVersion')}")
    print(f"print: XMP {got['xmp:CreateDate']} / {got['xmp:ModifyDate']} / {got['xmp:MetadataDate']},"
          f" pdfxid {meta.get('pdfxid:GTS_PDFXVersion')}, title {meta.get('dc:title')!r}")


def check_screen(pdf, args):
    seen = Counter()
    visited = set()
    internal = uri = 0
    for i, page in enumerate(pdf.pages, 1):
        where = f"page {i}"
        walk(page.resources, pikepdf.parse_content_stream(page), where, False, seen, visited)
        trim, bleed, media = box(page, "/TrimBox"), box(page, "/BleedBox"), box(page, "/MediaBox")
        if not trim == bleed == media:
            problem(f"{where}: bleed or marks in the screen edition: {trim} {bleed} {media}")
        for annot in page.obj.get("/Annots", []):
            if annot.get("/Subtype") != Name("/Link"):
                continue
            action = annot.get("/A", {})
            if "/Dest" in annot or action.get("/S") == Name("/GoTo"):
                internal += 1
            elif action.get("/S") == Name("/URI"):
                uri += 1
    if internal == 0 or uri == 0:
        problem(f"links: {internal} internal, {uri} URI")
    for family in ("/DeviceCMYK", "/Separation"):
        if seen[family]:
            problem(f"{family} used {seen[family]} times in the screen edition")
    if seen["/DeviceRGB"] == 0:
        problem("no RGB colour in the screen edition")
    if pdf.Root.get("/PageMode") != Name("/UseOutlines") or "/Outlines" not in pdf.Root:
        problem("the outline does not open with the document")
    if "/Lang" not in pdf.Root or "/Metadata" not in pdf.Root:
        problem("no /Lang or /Metadata")
    if "/OutputIntents" in pdf.Root:
        problem("a PDF/X OutputIntent in the screen edition")
    meta = pdf.open_metadata()
    if not meta.get("dc:title"):
        problem("XMP has no dc:title")
    print(f"screen: {len(pdf.pages)} pages, {internal} internal links, {uri} URI links,"
          f" colour uses {dict(sorted(seen.items()))}, Lang {pdf.Root.get('/Lang')}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("edition", choices=["print", "screen"])
    ap.add_argument("file")
    ap.add_argument("--epoch", type=int, default=0)
    ap.add_argument("--signature", type=int, default=0)
    args = ap.parse_args()
    with pikepdf.open(args.file) as pdf:
        if args.edition == "print":
            check_print(pdf, args)
        else:
            check_screen(pdf, args)
    for p in PROBLEMS[:40]:
        print("PROBLEM:", p)
    if PROBLEMS:
        print(f"{len(PROBLEMS)} problems")
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
