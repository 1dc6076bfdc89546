"""OWL 2 RL consistency check (owlrl): the ontology and the data together must not entail a contradiction."""

from __future__ import annotations

import owlrl
import rdflib
from owlrl.Namespaces import ERRNS


def inconsistencies(graph: rdflib.Graph) -> list[str]:
    """The reasoner's error messages for a copy of `graph` (empty when consistent); `graph` is left unchanged."""
    closure = rdflib.Graph()
    for triple in graph:
        closure.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closure)
    return sorted(str(m) for m in closure.objects(None, ERRNS.error))
