"""The refusals of a contribution (POST /validate's 4xx and 5xx) in the /validate page's language.

The JSON API keeps its English `message` for programs; the page reads that message back with the pattern it was
written from and says it again in French, Dutch or German. What the message quotes (the parser's own detail, a
field name, an IRI) stays as it was: the parser's detail is marked `lang="en"`. A message no pattern knows is
shown in English, marked as such, never left out.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from .errors import ApiError

#: (English pattern, {lang: template}): the templates name the pattern's groups; `detail` is the parser's English.
PATTERNS: list[tuple[re.Pattern, dict[str, str]]] = [
    (
        re.compile(r"the (?P<syntax>Turtle|JSON-LD) cannot be read: (?P<detail>.*)", re.DOTALL),
        {
            "fr": "le {syntax} ne peut pas être lu : {detail}",
            "nl": "de {syntax} kan niet worden gelezen: {detail}",
            "de": "das {syntax} kann nicht gelesen werden: {detail}",
        },
    ),
    (
        re.compile(r"invalid JSON: (?P<detail>.*)", re.DOTALL),
        {"fr": "JSON non valide : {detail}", "nl": "ongeldige JSON: {detail}", "de": "ungültiges JSON: {detail}"},
    ),
    (
        re.compile(r"the body is not valid UTF-8"),
        {
            "fr": "le contenu envoyé n’est pas de l’UTF-8 valide",
            "nl": "de verzonden inhoud is geen geldige UTF-8",
            "de": "der gesendete Inhalt ist kein gültiges UTF-8",
        },
    ),
    (
        re.compile(
            r"the contribution nests (?P<what>collections and blank nodes|arrays and objects) more than "
            r"(?P<max>\d+) levels deep \(at line (?P<line>\d+), column (?P<column>\d+)\)"
        ),
        {
            "fr": "la contribution imbrique des {what} sur plus de {max} niveaux (ligne {line}, colonne {column})",
            "nl": "de bijdrage nest {what} meer dan {max} niveaus diep (regel {line}, kolom {column})",
            "de": "der Beitrag verschachtelt {what} mehr als {max} Ebenen tief (Zeile {line}, Spalte {column})",
        },
    ),
    (
        re.compile(r"the contribution is nested too deeply to be read"),
        {
            "fr": "la contribution est trop profondément imbriquée pour être lue",
            "nl": "de bijdrage is te diep genest om te worden gelezen",
            "de": "der Beitrag ist zu tief verschachtelt, um gelesen zu werden",
        },
    ),
    (
        re.compile(
            r"a JSON-LD @context defines a chain of (?P<chain>\d+) terms, each through the next; "
            r"at most (?P<max>\d+) are accepted"
        ),
        {
            "fr": "un @context JSON-LD définit une chaîne de {chain} termes, chacun défini par le suivant ; "
            "{max} au plus sont acceptés",
            "nl": "een JSON-LD-@context definieert een keten van {chain} termen, elk via de volgende; "
            "hoogstens {max} worden aanvaard",
            "de": "ein JSON-LD-@context definiert eine Kette von {chain} Begriffen, jeder über den nächsten; "
            "höchstens {max} werden angenommen",
        },
    ),
    (
        re.compile(
            r"the JSON-LD @context at (?P<where>.*?) names '(?P<iri>.*)': this service never fetches anything, "
            r"so a context must be inline \(or the project's own, (?P<own>\S+)\)",
            re.DOTALL,
        ),
        {
            "fr": "le @context JSON-LD à {where} désigne '{iri}' : ce service ne télécharge jamais rien, un "
            "contexte doit donc être inclus (ou celui du projet, {own})",
            "nl": "de JSON-LD-@context op {where} noemt '{iri}': deze dienst haalt nooit iets op, dus een "
            "context moet erin staan (of die van het project, {own})",
            "de": "der JSON-LD-@context bei {where} nennt '{iri}': dieser Dienst ruft nie etwas ab, ein "
            "Kontext muss also enthalten sein (oder der des Projekts, {own})",
        },
    ),
    (
        re.compile(r"a scoped @context names '(?P<iri>.*)': contexts must be inline", re.DOTALL),
        {
            "fr": "un @context propre à un terme désigne '{iri}' : les contextes doivent être inclus",
            "nl": "een @context binnen een termdefinitie noemt '{iri}': contexten moeten erin staan",
            "de": "ein @context in einer Begriffsdefinition nennt '{iri}': Kontexte müssen enthalten sein",
        },
    ),
    (
        re.compile(
            r"RDF-star and RDF 1\.2 triple terms \(<< \.\.\. >>, rdf:reifies\) are not supported in a contribution"
        ),
        {
            "fr": "RDF-star et les termes triples de RDF 1.2 (<< ... >>, rdf:reifies) ne sont pas acceptés dans "
            "une contribution",
            "nl": "RDF-star en tripletermen van RDF 1.2 (<< ... >>, rdf:reifies) worden in een bijdrage niet "
            "ondersteund",
            "de": "RDF-star und Tripel-Terme von RDF 1.2 (<< ... >>, rdf:reifies) werden in einem Beitrag nicht "
            "unterstützt",
        },
    ),
    (
        re.compile(r"the contribution holds no statements"),
        {
            "fr": "la contribution ne contient aucune déclaration",
            "nl": "de bijdrage bevat geen uitspraken",
            "de": "der Beitrag enthält keine Aussagen",
        },
    ),
    (
        re.compile(r"the form cannot be read: (?P<detail>.*)", re.DOTALL),
        {
            "fr": "le formulaire ne peut pas être lu : {detail}",
            "nl": "het formulier kan niet worden gelezen: {detail}",
            "de": "das Formular kann nicht gelesen werden: {detail}",
        },
    ),
    (
        re.compile(r"give field '(?P<name>[^']*)' once, not (?P<count>\d+) times"),
        {
            "fr": "donnez le champ '{name}' une seule fois, pas {count} fois",
            "nl": "geef veld '{name}' één keer, niet {count} keer",
            "de": "geben Sie das Feld '{name}' einmal an, nicht {count}-mal",
        },
    ),
    (
        re.compile(r"syntax must be turtle or jsonld"),
        {
            "fr": "syntax doit valoir turtle ou jsonld",
            "nl": "syntax moet turtle of jsonld zijn",
            "de": "syntax muss turtle oder jsonld sein",
        },
    ),
    (
        re.compile(r"the request body is larger than the limit of (?P<limit>\d+) bytes"),
        {
            "fr": "le contenu envoyé dépasse la limite de {limit} octets",
            "nl": "de verzonden inhoud is groter dan de limiet van {limit} bytes",
            "de": "der gesendete Inhalt ist größer als die Grenze von {limit} Bytes",
        },
    ),
    (
        re.compile(
            r"checking this contribution needs more memory than the limit of (?P<limit>[\d,]+) bytes; "
            r"send a smaller one"
        ),
        {
            "fr": "la vérification de cette contribution demande plus de mémoire que la limite de {limit} "
            "octets ; envoyez-en une plus petite",
            "nl": "het controleren van deze bijdrage vraagt meer geheugen dan de limiet van {limit} bytes; "
            "stuur een kleinere",
            "de": "die Prüfung dieses Beitrags braucht mehr Speicher als die Grenze von {limit} Bytes; "
            "senden Sie einen kleineren",
        },
    ),
    (
        re.compile(
            r"checking this contribution took longer than the time limit of (?P<limit>[\d.]+) s and was "
            r"stopped; send a smaller one"
        ),
        {
            "fr": "la vérification de cette contribution a dépassé la limite de {limit} s et a été arrêtée ; "
            "envoyez-en une plus petite",
            "nl": "het controleren van deze bijdrage duurde langer dan de limiet van {limit} s en is gestopt; "
            "stuur een kleinere",
            "de": "die Prüfung dieses Beitrags dauerte länger als die Grenze von {limit} s und wurde "
            "abgebrochen; senden Sie einen kleineren",
        },
    ),
    (
        re.compile(
            r"every validation worker is busy and (?P<waiting>\d+) more contributions wait; "
            r"try again in a few seconds"
        ),
        {
            "fr": "tous les processus de validation sont occupés et {waiting} autres contributions attendent ; "
            "réessayez dans quelques secondes",
            "nl": "alle validatieprocessen zijn bezet en er wachten nog {waiting} bijdragen; "
            "probeer het over enkele seconden opnieuw",
            "de": "alle Prüfprozesse sind belegt und {waiting} weitere Beiträge warten; "
            "versuchen Sie es in einigen Sekunden erneut",
        },
    ),
    (
        re.compile(r"no validation worker came free in (?P<limit>[\d.]+) s; try again later"),
        {
            "fr": "aucun processus de validation ne s’est libéré en {limit} s ; réessayez plus tard",
            "nl": "er kwam binnen {limit} s geen validatieproces vrij; probeer het later opnieuw",
            "de": "innerhalb von {limit} s wurde kein Prüfprozess frei; versuchen Sie es später erneut",
        },
    ),
    (
        re.compile(
            r"the contribution could not be parsed: the parser crashed on it \((?P<detail>[^)]*)\); "
            r"it is probably nested or chained too deeply, or too large"
        ),
        {
            "fr": "la contribution n’a pas pu être lue : l’analyseur a planté ({detail}) ; elle est "
            "probablement trop imbriquée, trop enchaînée ou trop grande",
            "nl": "de bijdrage kon niet worden gelezen: de parser liep erop vast ({detail}); ze is "
            "waarschijnlijk te diep genest of geketend, of te groot",
            "de": "der Beitrag konnte nicht gelesen werden: der Parser ist daran abgestürzt ({detail}); er ist "
            "wahrscheinlich zu tief verschachtelt oder verkettet oder zu groß",
        },
    ),
]

#: The words inside the English messages that the templates repeat.
WORDS = {
    "collections and blank nodes": {
        "fr": "collections et nœuds anonymes",
        "nl": "collecties en blanco knopen",
        "de": "Collections und leere Knoten",
    },
    "arrays and objects": {"fr": "tableaux et objets", "nl": "arrays en objecten", "de": "Arrays und Objekte"},
    "the top": {"fr": "la racine", "nl": "het hoogste niveau", "de": "oberster Ebene"},
}


def localized_message(error: ApiError, lang: str) -> tuple[Markup, bool]:
    """The error's message in `lang` as HTML, and whether it is in `lang` (False: English, to be marked so)."""
    english = error.message
    if lang != "en":
        for pattern, templates in PATTERNS:
            found = pattern.fullmatch(english)
            if found and lang in templates:
                values = {
                    name: Markup('<span lang="en">{}</span>').format(value)
                    if name == "detail"
                    else WORDS.get(value, {}).get(lang, value)
                    for name, value in found.groupdict().items()
                }
                return Markup(escape(templates[lang])).format(**values), True
    return Markup(escape(english)), lang == "en"
