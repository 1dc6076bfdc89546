#!/usr/bin/env python3
"""Print ledger facts for an audit: a seeded random sample, with each fact's sentence (or authority), quote, note
and labels.

Usage: scripts/sample_facts.py [-n N] [--seed S] [--all] [--flagged]
  -n N       how many random facts (default 30, the external auditor's sample size)
  --seed S   seed of the sample (default 12), so an audit can be repeated
  --all      every fact instead of a sample
  --flagged  also every fact with a note and every fact of a predicate an auditor reads first
             (partyTo, hosts, cooperatesWith, memberOf, dcterms:*, roles and statuses)

Stdlib + PyYAML only. Labels are read from data/*.ttl with a simple pattern (subject at line start, its
`"…"@lang` labels until the block's closing dot), good enough to show what an IRI names.
"""

import argparse
import random
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
LEDGERS = ["joint-work-programme-2025-2028", "common-work-programme-2021-2024"]
FLAGGED = re.compile(
    r"^(bx:partyTo|bx:hosts|bx:cooperatesWith|org:memberOf|dcterms:.*|org:role|"
    r"bx:cooperationStatus|org:memberDuring)$"
)
LABEL = re.compile(r'(?:skos:prefLabel|rdfs:label|skos:altLabel)\s+((?:"[^"]*"@[\w-]+\s*,?\s*)+)')


def labels():
    """Map a prefixed subject to its labels, e.g. {'bxr:belgium': '"Belgium"@en , ...'}."""
    found = {}
    for ttl in sorted((ROOT / "data").glob("*.ttl")):
        subject = None
        for line in ttl.read_text(encoding="utf-8").splitlines():
            m = re.match(r"^([a-z]+:[\w.-]*[\w])\s", line)
            if m:
                subject = m.group(1)
            if subject:
                for lm in LABEL.finditer(line):
                    found.setdefault(subject, []).append(lm.group(1).strip().rstrip(",;").strip())
            if line.rstrip().endswith(" ."):
                subject = None
    return {k: " ; ".join(v) for k, v in found.items()}


def facts():
    """Each fact with what states it: its sentence, or for common knowledge its authority (one fact per object)."""
    for name in LEDGERS:
        ledger = yaml.safe_load((ROOT / "data" / "ledger" / f"{name}.yaml").read_text(encoding="utf-8"))
        for sentence in ledger["sentences"]:
            for fact in sentence.get("facts") or []:
                yield sentence, fact
    common = yaml.safe_load((ROOT / "data" / "ledger" / "authorities.yaml").read_text(encoding="utf-8"))
    authorities = {a["id"]: {"id": a["id"], "text": f"{a['label']} <{a['url']}>"} for a in common["authorities"]}
    for fact in common["facts"]:
        for o in fact["o"] if isinstance(fact["o"], list) else [fact["o"]]:
            yield authorities[fact["authority"]], {**fact, "o": o}


def show(sentence, fact, names):
    o = fact["o"]
    print(f"[{sentence['id']}] {fact['s']}  {fact['p']}  {o}")
    for term in (fact["s"], o):
        if isinstance(term, str) and term in names:
            print(f"    label {term}: {names[term]}")
    print(f"    text : {sentence['text']}")
    print(f"    quote: {fact.get('quote')}")
    if fact.get("note"):
        print(f"    note : {fact['note']}")
    print()


def main():
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("-n", type=int, default=30)
    args.add_argument("--seed", type=int, default=12)
    args.add_argument("--all", action="store_true")
    args.add_argument("--flagged", action="store_true")
    opts = args.parse_args()
    everything = list(facts())
    chosen = everything if opts.all else random.Random(opts.seed).sample(everything, min(opts.n, len(everything)))
    if opts.flagged and not opts.all:
        chosen += [(s, f) for s, f in everything if (f.get("note") or FLAGGED.match(f["p"])) and (s, f) not in chosen]
    names = labels()
    for sentence, fact in chosen:
        show(sentence, fact, names)
    print(f"{len(chosen)} of {len(everything)} facts")


if __name__ == "__main__":
    main()
