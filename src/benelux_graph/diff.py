"""`benelux-graph diff OLD NEW`: what changed between two releases, grouped by entity, for release notes.

OLD and NEW are each a dump file (any format of `benelux-graph dump`, gzipped or not), a folder of dump files
(the N-Quads dump is read, else the first other format found), or a project folder (with `ontology/benelux.ttl`:
its files and saved queries are loaded as the server would publish them). Statements are compared without their
named graphs, so moving a fact from one file to another is no change. Blank nodes carry their canonical labels
(RDFC-1.0), so an unchanged blank-node structure compares equal.

Each changed statement is listed under the entity it is about: its subject, or, for a blank node (a list, a
property shape), the IRI that leads to it. Entities come with their English label; so do the values.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .dumps import FORMATS, NAME, Publication, read_dump
from .graph_index import compact

PREFERENCE = ["nq", "trig", "jsonld", "nt", "ttl", "rdf"]
LABEL_PREDICATES = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://purl.org/dc/terms/title",
    "http://xmlns.com/foaf/0.1/name",
)
VERSION_INFO = "http://www.w3.org/2002/07/owl#versionInfo"
DATASET = "https://w3id.org/benelux-graph/dataset"


@dataclass
class Release:
    path: str
    release: str | None
    triples: set


@dataclass
class EntityChange:
    iri: str
    label: str
    status: str  # "added" (new entity), "removed" (entity gone) or "changed"
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


@dataclass
class ReleaseDiff:
    old: str
    new: str
    old_release: str | None
    new_release: str | None
    added: int
    removed: int
    entities: list[EntityChange]

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False)

    def to_text(self) -> str:
        def name(release, path):
            return release or path

        lines = [f"# Changes from {name(self.old_release, self.old)} to {name(self.new_release, self.new)}", ""]
        if not self.changed:
            return "\n".join(lines + ["No change: the two releases hold the same statements."])
        counts: defaultdict[str, int] = defaultdict(int)
        for e in self.entities:
            counts[e.status] += 1

        def plural(n, word):
            return f"{n} {word}" + ("s" if n != 1 else "")

        lines.append(
            f"{plural(self.added, 'statement')} added, {self.removed} removed; "
            f"{plural(len(self.entities), 'entity').replace('entitys', 'entities')} touched "
            f"({counts['added']} new, {counts['removed']} removed, {counts['changed']} changed)."
        )
        for status, title in (
            ("added", "New entities"),
            ("removed", "Removed entities"),
            ("changed", "Changed entities"),
        ):
            group = [e for e in self.entities if e.status == status]
            if not group:
                continue
            lines += ["", f"## {title}"]
            for e in group:
                short = compact(e.iri)
                lines += ["", f"### {e.label} ({short})" if e.label != short else f"### {short}"]
                lines += [f"+ {s}" for s in e.added]
                lines += [f"- {s}" for s in e.removed]
        return "\n".join(lines)


def load(path: Path) -> Release:
    """The statements of a release: a dump file, a folder of dumps, or a project folder."""
    path = Path(path)
    if path.is_dir():
        if (path / "ontology" / "benelux.ttl").is_file():
            from .settings import Settings
            from .store import GraphStore

            settings = Settings(root=path)
            pub = Publication(GraphStore.load(settings), settings)
            return Release(str(path), pub.release, {q.triple for q in pub.quads})
        for ext in PREFERENCE:
            for candidate in (path / f"{NAME}.{ext}", path / f"{NAME}.{ext}.gz"):
                if candidate.is_file():
                    release = load(candidate)
                    release.path = str(path)
                    if release.release is None and (path / "void.ttl").is_file():
                        release.release = release_of(read_dump(path / "void.ttl"))
                    return release
        raise ValueError(
            f"{path}: no dump file ({NAME}.{{{','.join(f.extension for f in FORMATS)}}}[.gz]) and "
            "no project (ontology/benelux.ttl) in this folder"
        )
    if not path.is_file():
        raise ValueError(f"{path}: no such file or folder")
    try:
        quads = read_dump(path)
    except SyntaxError as e:
        where = e.args[1] if len(e.args) > 1 and e.args[1] else None
        at = f":{where[1]}:{where[2]}" if where and where[1] else ""
        raise ValueError(f"{path}{at}: {e.args[0] if e.args else e}") from None
    return Release(str(path), release_of(quads) or release_from_comment(path), {q.triple for q in quads})


def release_of(quads) -> str | None:
    for q in quads:
        if q.subject == ox.NamedNode(DATASET) and q.predicate.value == VERSION_INFO:
            return q.object.value
    return None


def release_from_comment(path: Path) -> str | None:
    """The release named in the header comment of a Turtle or TriG dump."""
    import gzip

    if not path.name.removesuffix(".gz").endswith((".ttl", ".trig")):
        return None
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        first = f.readline()
    marker = ", release "
    return first.split(marker, 1)[1].strip() if first.startswith("#") and marker in first else None


def labels(triples: set) -> dict:
    out: dict = {}
    rank = {p: i for i, p in enumerate(LABEL_PREDICATES)}
    best: dict = {}
    for t in triples:
        if t.predicate.value in rank and isinstance(t.object, ox.Literal):
            score = (rank[t.predicate.value], t.object.language not in ("en", None), t.object.value)
            if t.subject not in best or score < best[t.subject]:
                best[t.subject] = score
                out[t.subject] = t.object.value
    return out


def owners(triples: set) -> dict:
    """Blank node -> the IRI that leads to it (following statements backwards)."""
    parents: dict = {}
    for t in triples:
        if isinstance(t.object, ox.BlankNode):
            parents.setdefault(t.object, t.subject)
    out = {}
    for node in parents:
        seen, current = set(), node
        while isinstance(current, ox.BlankNode) and current in parents and current not in seen:
            seen.add(current)
            current = parents[current]
        out[node] = current
    return out


def show(term, names: dict) -> str:
    if isinstance(term, ox.Literal):
        text = json.dumps(term.value, ensure_ascii=False)
        if term.language:
            return f"{text}@{term.language}"
        if not term.datatype.value.endswith("#string"):
            return f"{text}^^{compact(term.datatype.value)}"
        return text
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    name = compact(term.value)
    label = names.get(term)
    return f"{name} ({label})" if label and label != name else name


def diff(old_path: Path, new_path: Path) -> ReleaseDiff:
    old, new = load(old_path), load(new_path)
    added, removed = new.triples - old.triples, old.triples - new.triples
    names = {**labels(old.triples), **labels(new.triples)}
    owner = {**owners(old.triples), **owners(new.triples)}
    old_subjects = {t.subject for t in old.triples}
    new_subjects = {t.subject for t in new.triples}
    by_entity: dict = defaultdict(lambda: ([], []))
    for sign, statements in ((0, added), (1, removed)):
        for t in statements:
            entity = owner.get(t.subject, t.subject) if isinstance(t.subject, ox.BlankNode) else t.subject
            prefix = "" if entity == t.subject else f"{show(t.subject, names)} "
            by_entity[entity][sign].append(prefix + f"{show(t.predicate, {})} {show(t.object, names)}")
    entities = []
    for entity, (plus, minus) in by_entity.items():
        status = "added" if entity not in old_subjects else "removed" if entity not in new_subjects else "changed"
        iri = entity.value if not isinstance(entity, ox.BlankNode) else "_:" + entity.value
        entities.append(EntityChange(iri, names.get(entity, compact(iri)), status, sorted(plus), sorted(minus)))
    entities.sort(key=lambda e: (e.label.casefold(), e.iri))
    return ReleaseDiff(old.path, new.path, old.release, new.release, len(added), len(removed), entities)
