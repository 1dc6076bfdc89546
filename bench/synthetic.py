"""Synthetic graphs of the project's shapes, at any size, for the scale benchmark (bench/scale.py) and tests.

    files = generate(100_000, seed=1)          # file name -> Turtle text, about 100,000 triples in all
    root = write_project(folder, 100_000)      # a project folder: ontology/ and queries/ copied, data/ generated

The data is made up (every label says "synthetic"), but it has the forms of the real data: countries and regions
with ISO and NUTS-shaped codes, forums and bodies addressing themes, memberships (member, participant,
presidency, chair, secretariat) with periods and the plain triple beside each node, cooperations of the Benelux
Union with partners and the instruments they build on, treaties and their provisions, two work programmes with
chapters, central themes, sub-themes, priorities and actions, initiatives and their supporters, ports, and a
source passage behind every fact. It conforms to the SHACL shapes of ontology/shapes/ (tests/perf checks a small
size). A handful of entities keep the IRIs the saved queries' default parameters name (bxr:benelux-union,
bxr:greater-region, bxr:hauts-de-france, bxr:pentalateral-energy-forum, theme:energy, the two programmes, ...), so
every saved query has something to find at every size.

Deterministic: the same size and seed give the same bytes. The size is reached by adding "units" (a region with
its forum and body, memberships, cooperation, instruments, programme components, initiative and passages, about
125 triples each) until the data holds the triples asked for; they link to shared pools (countries, themes,
periods) that grow more slowly than the units.
"""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: The checkout this file is in: its ontology/ and queries/ are copied into a synthetic project.
ROOT = Path(__file__).resolve().parents[1]

PREFIXES = {
    "bx": "https://w3id.org/benelux-graph/ontology#",
    "bxr": "https://w3id.org/benelux-graph/id/",
    "src": "https://w3id.org/benelux-graph/id/source/",
    "role": "https://w3id.org/benelux-graph/id/role/",
    "status": "https://w3id.org/benelux-graph/id/status/",
    "theme": "https://w3id.org/benelux-graph/id/theme/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "time": "http://www.w3.org/2006/time#",
    "foaf": "http://xmlns.com/foaf/0.1/",
}
HEADER = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())

#: The files of a synthetic dataset, in the order they are written.
FILES = (
    "vocabularies",
    "periods",
    "themes",
    "programmes",
    "places",
    "organisations",
    "memberships",
    "cooperation",
    "instruments",
    "initiatives",
    "passages",
)
#: Triples one unit adds, on average (measured; sizes the shared pools before the units are made).
UNIT_TRIPLES = 125
#: Units per group (an organisation with its own two work programmes), and source passages per unit.
GROUP = 24
PASSAGES = 8
ROLES = {  # role -> the plain property, and whether the organisation is its subject
    "member": ("org:memberOf", False),
    "participant": ("bx:participatesIn", False),
    "presidency": ("bx:presidencyHeldBy", True),
    "chair": ("bx:chairedBy", True),
    "secretariat": ("bx:secretariatProvidedBy", True),
}
STATUSES = ("deepening", "strengthening", "exploring", "ongoing")
LANGS = ("fr", "nl", "de")
SECTIONS = (
    "INTRODUCTION",
    "VISION",
    "BENELUX+ AND BEYOND",
    "Energy and supply security",
    "Cross-border security and crime control",
    "Cybersecurity and digital resilience",
    "Mobility and logistics",
    "Sustainable development",
    "Economic integration",
    "Health",
)
YEARS = range(2000, 2041)
#: Theme IRIs the saved queries name by default, with their narrower themes.
ANCHOR_THEMES = {
    "security-and-crime-control": None,
    "police-cooperation": "security-and-crime-control",
    "cross-border-fraud": "security-and-crime-control",
    "energy": None,
    "energy-security": "energy",
    "energy-transition": "energy",
    "cybersecurity": None,
    "mobility-and-transport": None,
    "economy": None,
}
INSTRUMENT_KINDS = ("JointDeclaration", "MemorandumOfUnderstanding", "ActionPlan", "Treaty")
INITIATIVE_KINDS = ("Project", "Agenda", "Platform", "Service")
PROGRAMMES = {  # programme -> (period, issued, top-level kind, nested kind)
    "joint-work-programme-2025-2028": ("period-2025-2028", '"2025-01"^^xsd:gYearMonth', "CentralTheme", "SubTheme"),
    "common-work-programme-2021-2024": ("period-2021-2024", '"2021"^^xsd:gYear', "Priority", "Action"),
}


def lit(text: str, lang: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def code(n: int, width: int) -> str:
    """The n-th string of `width` capital letters (AA, AB, ...)."""
    letters = []
    for _ in range(width):
        n, r = divmod(n, 26)
        letters.append(chr(65 + r))
    return "".join(reversed(letters))


@dataclass
class Turtle:
    """Statements of one file: subject blocks, and how many triples they hold."""

    lines: list[str] = field(default_factory=list)
    triples: int = 0

    def add(self, subject: str, *pairs: tuple[str, object]) -> None:
        parts = []
        for predicate, objects in pairs:
            values = objects if isinstance(objects, (list, tuple)) else [objects]
            terms = [str(o) for o in values if o is not None]
            if not terms:
                continue
            parts.append(f"{predicate} {' , '.join(terms)}")
            self.triples += len(terms)
        if parts:
            self.lines.append(subject + " " + " ;\n    ".join(parts) + " .\n")

    def text(self) -> str:
        return HEADER + "\n" + "".join(self.lines)


class Generator:
    def __init__(self, units: int, seed: int):
        self.units = units
        self.rng = random.Random(seed)
        self.files = {name: Turtle() for name in FILES}
        self.passage_count = 0
        self.countries = [f"bxr:country-{i}" for i in range(max(6, min(200, 6 + units // 40)))]
        self.themes = [f"theme:{t}" for t in ANCHOR_THEMES] + [
            f"theme:synthetic-theme-{i}" for i in range(20 + units // 25)
        ]
        self.periods: list[str] = []

    # helpers ----------------------------------------------------------------------------------------------

    def passage(self, section: str | None = None, programme: str | None = None) -> str:
        """A new source passage; its IRI."""
        self.passage_count += 1
        iri = f"src:passages-{self.passage_count}"
        programme = programme or self.rng.choice(list(PROGRAMMES))
        section = section or self.rng.choice(SECTIONS)
        if programme not in PROGRAMMES:  # a synthetic group's programme has sections of its own
            section = f"{section} ({programme})"
        self.files["passages"].add(
            iri,
            ("a", "bx:SourcePassage"),
            ("dcterms:isPartOf", f"bxr:{programme}"),
            ("bx:sectionTitle", lit(section)),
            ("bx:quote", lit(f"Synthetic passage {self.passage_count} of section {section}.", "en")),
        )
        return iri

    def labels(self, name: str, translated: bool | None = None) -> list[str]:
        """An English label, and French, Dutch and German ones for most entities (not all: as in the data)."""
        if translated is None:
            translated = self.rng.random() < 0.7
        return [lit(name, "en")] + ([lit(f"{name} ({lang})", lang) for lang in LANGS] if translated else [])

    def some_themes(self, low: int = 1, high: int = 3) -> list[str]:
        return self.rng.sample(self.themes, self.rng.randint(low, high))

    def membership(self, file: str, member: str, organisation: str, role: str, period: str | None, source: str) -> None:
        """The n-ary node and the plain triple beside it."""
        slug = f"{member.split(':', 1)[1]}-{organisation.split(':', 1)[1]}-{role}" + (
            f"-{period.split(':', 1)[1]}" if period else ""
        )
        plain, inverse = ROLES[role]
        if inverse:
            self.files[file].add(organisation, (plain, member))
        else:
            self.files[file].add(member, (plain, organisation))
        self.files[file].add(
            f"bxr:membership-{slug}",
            ("a", "org:Membership"),
            ("org:member", member),
            ("org:organization", organisation),
            ("org:role", f"role:{role}"),
            ("org:memberDuring", period),
            ("prov:wasDerivedFrom", source),
        )

    # the shared parts -------------------------------------------------------------------------------------

    def vocabularies(self) -> None:
        f = self.files["vocabularies"]
        f.add(
            "bxr:roles",
            ("a", "skos:ConceptScheme"),
            ("skos:prefLabel", self.labels("Roles (synthetic)", True)),
            ("skos:hasTopConcept", [f"role:{r}" for r in (*ROLES, "secretary-general")]),
        )
        for r in (*ROLES, "secretary-general"):
            f.add(
                f"role:{r}",
                ("a", "org:Role"),
                ("skos:inScheme", "bxr:roles"),
                ("skos:topConceptOf", "bxr:roles"),
                ("skos:prefLabel", self.labels(r, True)),
            )
        f.add(
            "bxr:cooperation-statuses",
            ("a", "skos:ConceptScheme"),
            ("skos:prefLabel", self.labels("Cooperation statuses (synthetic)", True)),
            ("skos:hasTopConcept", [f"status:{s}" for s in STATUSES]),
        )
        for s in STATUSES:
            f.add(
                f"status:{s}",
                ("a", "bx:CooperationStatus"),
                ("skos:inScheme", "bxr:cooperation-statuses"),
                ("skos:topConceptOf", "bxr:cooperation-statuses"),
                ("skos:prefLabel", self.labels(s, True)),
            )

    def time(self) -> None:
        f = self.files["periods"]
        for y in YEARS:
            f.add(
                f"bxr:year-{y}",
                ("a", "time:Instant"),
                ("skos:prefLabel", lit(str(y), "en")),
                ("time:inXSDgYear", f'"{y}"^^xsd:gYear'),
            )
        for start in YEARS:
            for length in (1, 3):
                end = start + length
                if end in YEARS:
                    iri = f"bxr:period-{start}-{end}"
                    self.periods.append(iri)
                    f.add(
                        iri,
                        ("a", "time:Interval"),
                        ("skos:prefLabel", lit(f"{start}-{end}", "en")),
                        ("time:hasBeginning", f"bxr:year-{start}"),
                        ("time:hasEnd", f"bxr:year-{end}"),
                    )
        for iri in ("bxr:period-2025-2026", "bxr:period-2027-2028"):
            if iri not in self.periods:
                self.periods.append(iri)
                f.add(
                    iri,
                    ("a", "time:Interval"),
                    ("skos:prefLabel", lit(f"{start}-{end}", "en")),
                    ("time:hasBeginning", f"bxr:year-{start}"),
                    ("time:hasEnd", f"bxr:year-{end}"),
                )

    def theme_scheme(self) -> None:
        f = self.files["themes"]
        source = self.passage()
        tops = [t for t in self.themes if ANCHOR_THEMES.get(t.split(":", 1)[1], "top") in (None, "top")]
        broader: dict[str, str] = {}
        for t in self.themes:
            name = t.split(":", 1)[1]
            if name in ANCHOR_THEMES:
                if ANCHOR_THEMES[name]:
                    broader[t] = f"theme:{ANCHOR_THEMES[name]}"
            elif self.rng.random() < 0.4:  # a narrower theme of an earlier one (no cycles)
                earlier = self.themes[: self.themes.index(t)]
                broader[t] = self.rng.choice(earlier)
        tops = [t for t in self.themes if t not in broader]
        f.add(
            "bxr:themes",
            ("a", "skos:ConceptScheme"),
            ("skos:prefLabel", self.labels("Themes (synthetic)", True)),
            ("skos:hasTopConcept", tops),
        )
        for t in self.themes:
            name = t.split(":", 1)[1].replace("-", " ")
            f.add(
                t,
                ("a", "bx:Theme"),
                ("skos:inScheme", "bxr:themes"),
                ("skos:topConceptOf", None if t in broader else "bxr:themes"),
                ("skos:broader", broader.get(t)),
                ("skos:prefLabel", self.labels(f"{name} (synthetic)")),
                ("prov:wasDerivedFrom", source),
            )

    def group(self, g: int) -> None:
        """A group of units: an intergovernmental organisation (group 0: the Benelux Union, with its
        Secretariat-General and head) with three member countries, and its two work programmes (group 0: the two
        real programmes' IRIs) with their top-level parts. Each programme holds the components of its group's
        units only, so a programme keeps the size of a real one however large the graph."""
        orgs, progs = self.files["organisations"], self.files["programmes"]
        source = self.passage("INTRODUCTION", "joint-work-programme-2025-2028")
        if g == 0:
            union, unit = "bxr:benelux-union", "bxr:secretariat-general"
            names = list(PROGRAMMES)
            orgs.add(
                union,
                ("a", "bx:IntergovernmentalOrganisation"),
                ("skos:prefLabel", self.labels("Benelux Union", False)),
                ("org:hasUnit", unit),
                ("bx:successorOf", "bxr:benelux-customs-union"),
                ("prov:wasDerivedFrom", source),
            )
            orgs.add(
                "bxr:benelux-customs-union",
                ("a", "bx:IntergovernmentalOrganisation"),
                ("skos:prefLabel", self.labels("Benelux Customs Union", False)),
                ("dcterms:created", '"1944"^^xsd:gYear'),
                ("bx:predecessorOf", union),
                ("prov:wasDerivedFrom", source),
            )
            orgs.add(
                "bxr:synthetic-secretary-general",
                ("a", "foaf:Person"),
                ("foaf:name", lit("Synthetic Person")),
                ("skos:prefLabel", self.labels("Synthetic Person", False)),
                ("org:headOf", unit),
                ("prov:wasDerivedFrom", source),
            )
            self.files["memberships"].add(
                "bxr:membership-synthetic-secretary-general",
                ("a", "org:Membership"),
                ("org:member", "bxr:synthetic-secretary-general"),
                ("org:organization", union),
                ("org:role", "role:secretary-general"),
                ("prov:wasDerivedFrom", source),
            )
        else:
            union, unit = f"bxr:union-{g}", f"bxr:union-{g}-secretariat"
            names = [f"programme-{g}-early", f"programme-{g}-late"]
            orgs.add(
                union,
                ("a", "bx:IntergovernmentalOrganisation"),
                ("skos:prefLabel", self.labels(f"Union {g} (synthetic)")),
                ("org:hasUnit", unit),
                ("prov:wasDerivedFrom", source),
            )
        orgs.add(
            unit,
            ("a", "org:OrganizationalUnit"),
            ("skos:prefLabel", self.labels(f"Secretariat of union {g} (synthetic)", g == 0)),
            ("org:unitOf", union),
            ("prov:wasDerivedFrom", source),
        )
        for country in self.rng.sample(self.countries, 3) if g else self.countries[:3]:
            self.membership("memberships", country, union, "member", None, source)
        tops: dict[str, list[str]] = {}
        for name, (period, issued, top_kind, _) in zip(names, PROGRAMMES.values(), strict=False):
            programme = f"bxr:{name}"
            source = self.passage(programme=name) if g == 0 else source
            tops[programme] = [f"bxr:{name}-part-{k}" for k in range(4)]
            label = name.replace("-", " ").capitalize() + " (synthetic)"
            progs.add(
                programme,
                ("a", "bx:WorkProgramme"),
                ("skos:prefLabel", lit(label, "en")),
                ("dcterms:title", lit(label, "en")),
                ("dcterms:publisher", unit),
                ("dcterms:issued", issued),
                ("dcterms:temporal", f"bxr:{period}"),
                ("dcterms:hasPart", tops[programme]),
                ("prov:wasDerivedFrom", source),
            )
            for k, top in enumerate(tops[programme]):
                progs.add(
                    top,
                    ("a", f"bx:{top_kind}"),
                    ("skos:prefLabel", lit(f"{top_kind} {k} of {label}", "en")),
                    ("bx:programme", programme),
                    ("dcterms:isPartOf", programme),
                    ("bx:addressesTheme", self.some_themes()),
                    ("prov:wasDerivedFrom", source),
                )
        self.current: dict[str, Any] = {"union": union, "unit": unit, "programmes": tops, "names": names}

    def anchors(self) -> None:
        """The entities the saved queries' default parameters name, beside the Benelux Union (group 0)."""
        places, orgs, inst = self.files["places"], self.files["organisations"], self.files["instruments"]
        source = self.passage("INTRODUCTION", "joint-work-programme-2025-2028")
        for i, country in enumerate(self.countries):
            places.add(
                country,
                ("a", "bx:Country"),
                ("skos:prefLabel", self.labels(f"Country {i} (synthetic)", True)),
                ("bx:iso3166Alpha2", lit(code(i, 2))),
                ("bx:iso3166Alpha3", lit(code(i, 3))),
                ("bx:nutsCode", lit(code(i, 2))),
                ("prov:wasDerivedFrom", source),
            )
        source = self.passage("BENELUX+ AND BEYOND", "joint-work-programme-2025-2028")
        places.add(
            "bxr:hauts-de-france",
            ("a", "bx:AdministrativeRegion"),
            ("skos:prefLabel", self.labels("Hauts-de-France", False)),
            ("bx:locatedIn", self.countries[3]),
            ("bx:nutsCode", lit("FRE")),
            ("prov:wasDerivedFrom", source),
        )
        places.add(
            "bxr:greater-region",
            ("a", "bx:CrossBorderRegion"),
            ("skos:prefLabel", self.labels("Greater Region", False)),
            ("prov:wasDerivedFrom", source),
        )
        for member, period in (
            (self.countries[2], "bxr:period-2027-2028"),
            (self.countries[4], "bxr:period-2025-2026"),
        ):
            self.membership("memberships", member, "bxr:greater-region", "presidency", period, source)
        orgs.add(
            "bxr:pentalateral-energy-forum",
            ("a", "bx:Forum"),
            ("skos:prefLabel", self.labels("Pentalateral Energy Forum", False)),
            ("bx:addressesTheme", ["theme:energy", "theme:energy-security"]),
            ("prov:wasDerivedFrom", source),
        )
        self.membership(
            "memberships", "bxr:benelux-union", "bxr:pentalateral-energy-forum", "secretariat", None, source
        )
        orgs.add("bxr:benelux-union", ("bx:hosts", "bxr:pentalateral-energy-forum"))
        mou = "bxr:memorandum-of-understanding-hauts-de-france-2018"
        inst.add(
            mou,
            ("a", "bx:MemorandumOfUnderstanding"),
            ("skos:prefLabel", self.labels("Memorandum of understanding with Hauts-de-France (synthetic)", False)),
            ("dcterms:issued", '"2018"^^xsd:gYear'),
            ("prov:wasDerivedFrom", source),
        )
        for party in ("bxr:benelux-union", "bxr:hauts-de-france"):
            inst.add(party, ("bx:partyTo", mou))
        self.cooperation("bxr:benelux-union", "bxr:hauts-de-france", "hauts-de-france", [mou], source)

    def cooperation(self, union: str, partner: str, slug: str, instruments: list[str], source: str) -> None:
        coop = self.files["cooperation"]
        coop.add(union, ("bx:cooperatesWith", partner))
        coop.add(
            f"bxr:cooperation-{slug}",
            ("a", "bx:Cooperation"),
            ("skos:prefLabel", lit(f"Cooperation with {slug} (synthetic)", "en")),
            ("bx:partner", [union, partner]),
            ("bx:cooperationStatus", f"status:{self.rng.choice(STATUSES)}"),
            ("bx:basedOn", instruments),
            ("bx:addressesTheme", self.some_themes()),
            ("dcterms:temporal", self.rng.choice(self.periods) if self.rng.random() < 0.5 else None),
            ("prov:wasDerivedFrom", source),
        )

    # one unit ---------------------------------------------------------------------------------------------

    def unit(self, i: int) -> None:
        """One unit of a group, in the proportions of the real data (its counts per class): mostly source
        passages and programme components; every other unit a cooperation and an instrument; every third a region
        and an initiative; every fifth a forum, then a body, with their memberships; every eighth a port."""
        rng, places, orgs, inst = self.rng, self.files["places"], self.files["organisations"], self.files["instruments"]
        if i and i % GROUP == 0:
            self.group(i // GROUP)
        union, unit = self.current["union"], self.current["unit"]
        passages = [self.passage(programme=rng.choice(self.current["names"])) for _ in range(PASSAGES)]
        source, second = passages[0], passages[1]
        # a region every third unit (the last one stands in between)
        if i % 3 == 0 or i == 0:
            self.region = f"bxr:region-{i}"
            self.country = rng.choice(self.countries)
            kind = rng.choice(("FederatedEntity", "AdministrativeRegion", "CrossBorderRegion"))
            nuts = (
                None
                if kind == "CrossBorderRegion"
                else lit(code(self.countries.index(self.country), 2) + format(i % 4096, "X"))
            )
            places.add(
                self.region,
                ("a", f"bx:{kind}"),
                ("skos:prefLabel", self.labels(f"Region {i} (synthetic)")),
                ("bx:locatedIn", None if kind == "CrossBorderRegion" else self.country),
                ("bx:nutsCode", nuts),
                ("prov:wasDerivedFrom", source),
            )
        region, country = self.region, self.country
        if i % 8 == 0:
            places.add(
                f"bxr:port-{i}",
                ("a", "bx:Port"),
                ("skos:prefLabel", self.labels(f"Port {i} (synthetic)")),
                ("bx:locatedIn", country),
                ("bx:addressesTheme", self.some_themes(1, 2)),
                ("prov:wasDerivedFrom", source),
            )
        # a forum every fifth unit, and a body advising it two units later, each with its memberships
        if i % 5 == 0:
            self.forum = forum = f"bxr:forum-{i}"
            orgs.add(
                forum,
                ("a", "bx:Forum"),
                ("skos:prefLabel", self.labels(f"Forum {i} (synthetic)")),
                ("bx:addressesTheme", self.some_themes()),
                ("prov:wasDerivedFrom", source),
            )
            self.membership(
                "memberships",
                rng.choice(self.countries),
                forum,
                "member",
                rng.choice(self.periods) if rng.random() < 0.3 else None,
                source,
            )
            role = ("secretariat", "participant", "presidency")[(i // 5) % 3]
            self.membership(
                "memberships",
                union if role != "presidency" else region,
                forum,
                role,
                rng.choice(self.periods) if role == "presidency" else None,
                second,
            )
            if role == "secretariat":
                orgs.add(unit, ("bx:supports", forum))
        elif i % 5 == 2:
            body = f"bxr:body-{i}"
            orgs.add(
                body,
                ("a", "bx:Body"),
                ("skos:prefLabel", self.labels(f"Body {i} (synthetic)")),
                ("bx:advises", self.forum),
                ("bx:concerns", region),
                ("bx:addressesTheme", self.some_themes(1, 2)),
                ("prov:wasDerivedFrom", source),
            )
            self.membership("memberships", country, body, "chair", None, second)
            if i % 25 == 2:
                orgs.add(union, ("bx:hosts", body))
        # every other unit: an instrument between the union and the region, and their cooperation based on it
        if i % 2 == 1:
            kind = rng.choice(INSTRUMENT_KINDS)
            instrument = f"bxr:instrument-{i}"
            year = rng.choice(YEARS)
            signed = rng.random() < 0.8
            date = (
                ("dcterms:issued", f'"{year}"^^xsd:gYear' if signed else None),
                ("bx:expectedSigningYear", None if signed else f'"{year}"^^xsd:gYear'),
            )
            inst.add(
                instrument,
                ("a", f"bx:{kind}"),
                ("skos:prefLabel", self.labels(f"{kind} {i} (synthetic)")),
                *date,
                ("bx:addressesTheme", self.some_themes(1, 2)),
                ("prov:wasDerivedFrom", source),
                ("dcterms:hasPart", f"bxr:instrument-{i}-article" if kind == "Treaty" else None),
                ("bx:successorOf", f"bxr:instrument-{i - 2}" if i % 26 == 3 else None),
            )
            if kind == "Treaty":
                inst.add(
                    f"bxr:instrument-{i}-article",
                    ("a", "bx:TreatyProvision"),
                    ("skos:prefLabel", self.labels(f"Article of treaty {i} (synthetic)")),
                    ("dcterms:isPartOf", instrument),
                    *date,
                    ("prov:wasDerivedFrom", source),
                )
            for party in (union, region if kind != "Treaty" else country):
                inst.add(party, ("bx:partyTo", instrument))
            self.cooperation(union, region, f"region-{i}", [instrument], source)
        if i % 11 == 0:
            self.membership("memberships", region, "bxr:greater-region", "presidency", rng.choice(self.periods), second)
        # two programme components, one in each of the group's programmes
        progs = self.files["programmes"]
        initiative = f"bxr:initiative-{i}" if i % 3 == 0 else None
        for (programme, tops), (_, _, _, nested_kind), cited in zip(
            self.current["programmes"].items(), PROGRAMMES.values(), (source, second), strict=False
        ):
            parent = rng.choice(tops)
            component = f"{programme}-component-{i}"
            progs.add(parent, ("dcterms:hasPart", component))
            progs.add(
                component,
                ("a", f"bx:{nested_kind}"),
                ("skos:prefLabel", lit(f"{nested_kind} {i} (synthetic)", "en")),
                ("bx:programme", programme),
                ("dcterms:isPartOf", parent),
                ("bx:addressesTheme", self.some_themes()),
                ("bx:concerns", [initiative] if initiative and rng.random() < 0.5 else [self.forum]),
                ("prov:wasDerivedFrom", cited),
            )
        if initiative:
            ini = self.files["initiatives"]
            ini.add(
                initiative,
                ("a", f"bx:{rng.choice(INITIATIVE_KINDS)}"),
                ("skos:prefLabel", self.labels(f"Initiative {i} (synthetic)")),
                ("bx:addressesTheme", self.some_themes(1, 2)),
                ("prov:wasDerivedFrom", second),
            )
            ini.add(region, ("bx:supports", initiative))
        for extra in passages[2:]:  # every passage is the source of something
            self.files["initiatives" if initiative else "organisations"].add(
                initiative or self.forum, ("prov:wasDerivedFrom", extra)
            )

    def run(self, triples: int | None = None) -> dict[str, str]:
        """The files: the shared parts, then units until `triples` triples (default: `units` units)."""
        self.vocabularies()
        self.time()
        self.theme_scheme()
        self.group(0)
        self.anchors()
        i = 0
        while (i < self.units) if triples is None else (self.triples < triples):
            self.unit(i)
            i += 1
        return {f"{name}.ttl": self.files[name].text() for name in FILES}

    @property
    def triples(self) -> int:
        return sum(f.triples for f in self.files.values())


def units_for(triples: int) -> int:
    """About how many units make a dataset of `triples` triples (the shared parts included)."""
    return max(1, round((triples - 1000) / UNIT_TRIPLES))


def generate(triples: int, seed: int = 1) -> dict[str, str]:
    """The Turtle files of a synthetic dataset of `triples` triples (a unit more at most): file name -> text."""
    return Generator(units_for(triples), seed).run(triples)


def write_project(folder: Path, triples: int, seed: int = 1, source_root: Path | None = None) -> Path:
    """A project folder for `Settings(root=folder)`: the project's ontology/ (with its shapes) and queries/
    copied from `source_root` (default: this checkout), and data/ generated. Returns the folder."""
    source_root = source_root or ROOT
    folder = Path(folder)
    for name in ("ontology", "queries"):
        if (folder / name).exists():
            shutil.rmtree(folder / name)
        shutil.copytree(source_root / name, folder / name)
    data = folder / "data"
    if data.exists():
        shutil.rmtree(data)
    data.mkdir(parents=True)
    for name, text in generate(triples, seed).items():
        (data / name).write_text(text, encoding="utf-8")
    return folder
