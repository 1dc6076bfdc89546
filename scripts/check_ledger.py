#!/usr/bin/env python3
"""Check a sentence ledger (data/ledger/*.yaml) against its source text and the graph's IRIs.

Usage: scripts/check_ledger.py [--partial] [LEDGER ...]   (default: data/ledger/joint-work-programme-2025-2028.yaml)
       --partial: a ledger still being written may stop before the end of its source.

Checks, stdlib + PyYAML only (so it runs before the graph code is installed):
- the ledger's texts, read in order, cover the whole source exactly once (whitespace runs normalised to one
  space), and each text starts and ends at a word boundary of the source;
- ids are jwp-/cwp-NNNN, unique and increasing; each sentence has facts or a known reason, not both;
- a section is a heading that stands in the source; every quote is a substring of its sentence's text;
- every prefixed name uses a prefix of src/benelux_graph/namespaces.py, and every IRI used exists in
  data/*.ttl or ontology/benelux.ttl, or is declared under the ledger's `entities` or `terms` (an entry there
  that data/ or ontology/ has meanwhile gained is reported as a note, not an error);
- literals carry a value and either a datatype or a language, never both.
Exits 1 and lists every problem when one check fails.
"""

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
REASONS = {"context", "no-actor", "policy-detail", "heading", "duplicate"}
FACT_KEYS = {"s", "p", "o", "quote", "note"}
SENTENCE_KEYS = {"id", "section", "text", "facts", "reason", "note"}
# A prefixed name as Turtle writes it: prefix, colon, local part that does not end in a dot.
PNAME = re.compile(r"(?<![\w<#/:.-])([A-Za-z][\w-]*):([\w][\w.-]*[\w]|[\w])?")


def norm(text: str) -> str:
    return " ".join(text.split())


def project_prefixes() -> set[str]:
    """The prefix names of namespaces.PREFIXES (read as text: the checker must not need the package)."""
    source = (ROOT / "src/benelux_graph/namespaces.py").read_text(encoding="utf-8")
    block = source.split("PREFIXES", 1)[1].split("}", 1)[0]
    return set(re.findall(r'"(\w+)":', block))


def turtle_names() -> tuple[dict[str, str], set[str]]:
    """Prefix declarations and every IRI (expanded) that the data and ontology files mention."""
    files = sorted((ROOT / "data").glob("*.ttl")) + [ROOT / "ontology/benelux.ttl"]
    prefixes: dict[str, str] = {}
    texts = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        for name, iri in re.findall(r"@prefix\s+([\w-]*):\s*<([^>]*)>\s*\.", text):
            if prefixes.setdefault(name, iri) != iri:
                sys.exit(f"{path.name}: prefix {name}: is <{iri}>, elsewhere <{prefixes[name]}>")
        # Drop string literals and comments, so words inside quotes are not taken for names.
        text = re.sub(r'"""[\s\S]*?"""|"(?:[^"\\\n]|\\.)*"', '""', text)
        texts.append(re.sub(r"(?m)#[^\n>]*$", "", text))
    known: set[str] = set()
    for text in texts:
        known.update(re.findall(r"<([^>\s]+)>", text))
        for prefix, local in PNAME.findall(text):
            if prefix in prefixes:
                known.add(prefixes[prefix] + (local or ""))
    return prefixes, known


class Checker:
    def __init__(self, ledger_path: Path, partial: bool = False):
        self.path = ledger_path
        self.partial = partial
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.allowed_prefixes = project_prefixes()
        self.prefixes, self.known = turtle_names()

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{self.path.name}: {where}: {message}")

    def expand(self, where: str, name, declared: set[str]) -> str | None:
        """Expand a prefixed name or <IRI>; report an unknown prefix or an IRI that exists nowhere."""
        if not isinstance(name, str) or not name:
            self.error(where, f"expected an IRI, got {name!r}")
            return None
        if name.startswith("<") and name.endswith(">"):
            iri = name[1:-1]
        else:
            prefix, colon, local = name.partition(":")
            if not colon or prefix not in self.allowed_prefixes:
                self.error(where, f"{name}: unknown prefix (known: namespaces.PREFIXES)")
                return None
            if prefix not in self.prefixes:
                self.error(where, f"{name}: prefix {prefix}: is declared in no data or ontology file")
                return None
            iri = self.prefixes[prefix] + local
        if iri not in self.known and iri not in declared:
            self.error(where, f"{name}: IRI exists neither in data/*.ttl, ontology/benelux.ttl nor the ledger")
        return iri

    def check_object(self, where: str, obj, declared: set[str]) -> None:
        if isinstance(obj, dict):
            if set(obj) - {"value", "datatype", "lang"} or "value" not in obj:
                self.error(where, f"literal needs value and datatype or lang, got {sorted(obj)}")
            if "datatype" in obj and "lang" in obj:
                self.error(where, "literal has both datatype and lang")
            if "datatype" in obj:
                self.expand(where, obj["datatype"], declared)
        else:
            self.expand(where, obj, declared)

    def run(self) -> list[str]:
        data = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        source_path = ROOT / data["source"]
        source = norm(source_path.read_text(encoding="utf-8"))
        sentences = data.get("sentences") or []
        ids = [s.get("id") for s in sentences]

        # Names the ledger itself declares.
        declared: set[str] = set()
        for key in ("entities", "terms"):
            for item in data.get(key) or []:
                iri = item.get("iri", "")
                prefix, _, local = iri.partition(":")
                if prefix in self.prefixes:
                    full = self.prefixes[prefix] + local
                    if full in self.known:
                        # Not an error: once the facts engineer adds it to data/ or ontology/, the entry is merely done.
                        self.warnings.append(f"{self.path.name}: {key} {iri}: now exists in data/ or ontology/")
                    if full in declared:
                        self.error(f"{key} {iri}", "declared twice")
                    declared.add(full)
                else:
                    self.error(f"{key} {iri}", "unknown prefix")
        self.expand("document", data.get("document"), declared)

        cursor = 0
        previous = 0
        for sentence in sentences:
            sid = sentence.get("id", "?")
            extra = set(sentence) - SENTENCE_KEYS
            if extra:
                self.error(sid, f"unknown keys {sorted(extra)}")
            match = re.fullmatch(r"(jwp|cwp)-(\d{4})", str(sid))
            if not match:
                self.error(sid, "id must be jwp-NNNN or cwp-NNNN")
            elif int(match.group(2)) <= previous:
                self.error(sid, "ids must increase in reading order")
            else:
                previous = int(match.group(2))
            if ids.count(sid) > 1:
                self.error(sid, "duplicate id")
            text = norm(str(sentence.get("text", "")))
            if not text:
                self.error(sid, "empty text")
                continue
            # Coverage: this text must be the very next stretch of the source.
            while cursor < len(source) and source[cursor] == " ":
                cursor += 1
            if source.startswith(text, cursor):
                end = cursor + len(text)
                if end < len(source) and source[end] != " ":
                    self.error(sid, "text ends inside a word of the source")
                cursor = end
            else:
                where = "occurs elsewhere in the source" if text in source else "is not in the source"
                self.error(sid, f"text {where}; expected the source to continue with: {source[cursor : cursor + 80]!r}")
                found = source.find(text, cursor)
                if found >= 0:
                    cursor = found + len(text)
            section = sentence.get("section")
            if not section or norm(str(section)) not in source:
                self.error(sid, f"section {section!r} is not a heading of the source")
            facts = sentence.get("facts") or []
            reason = sentence.get("reason")
            if facts and reason:
                self.error(sid, "a sentence has facts or a reason, not both")
            if not facts and reason not in REASONS:
                self.error(sid, f"no facts, so needs a reason in {sorted(REASONS)}")
            for n, fact in enumerate(facts, 1):
                where = f"{sid} fact {n}"
                if set(fact) - FACT_KEYS or not {"s", "p", "o", "quote"} <= set(fact):
                    self.error(where, f"needs s, p, o, quote (and optional note), got {sorted(fact)}")
                    continue
                quote = norm(str(fact["quote"]))
                if not quote or quote not in text:
                    self.error(where, f"quote is not a substring of the text: {quote!r}")
                self.expand(where, fact["s"], declared)
                self.expand(where, fact["p"], declared)
                self.check_object(where, fact["o"], declared)
        rest = source[cursor:].strip()
        if rest and not self.partial:
            self.error("end", f"source not covered from: {rest[:80]!r}")

        by_id = set(ids)
        for item in data.get("entities") or []:
            where = f"entity {item.get('iri')}"
            self.expand(where, item.get("type"), declared)
            if not (item.get("labels") or {}).get("en"):
                self.error(where, "needs an English label")
            if item.get("sentence") not in by_id:
                self.error(where, f"sentence {item.get('sentence')!r} is not in the ledger")
        for item in data.get("terms") or []:
            where = f"term {item.get('iri')}"
            if item.get("kind") not in {"property", "class"}:
                self.error(where, "kind must be property or class")
            if not item.get("label") or not item.get("comment"):
                self.error(where, "needs label and comment")
            for key in ("domain", "range", "subClassOf", "subPropertyOf"):
                if item.get(key):
                    self.expand(f"{where} {key}", item[key], declared)
        return self.errors


def main(argv: list[str]) -> int:
    partial = "--partial" in argv
    paths = [Path(a) for a in argv if a != "--partial"] or [ROOT / "data/ledger/joint-work-programme-2025-2028.yaml"]
    errors, warnings = [], []
    for path in paths:
        checker = Checker(path, partial)
        errors += checker.run()
        warnings += checker.warnings
    for line in warnings:
        print("note: " + line)
    for line in errors:
        print(line)
    if not errors:
        print("ledger ok: " + ", ".join(p.name for p in paths))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
