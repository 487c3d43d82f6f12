"""A strict little parser of the Prometheus text exposition format 0.0.4, for the tests."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_SAMPLE = re.compile(
    r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)"
    r"(?:\{(?P<labels>(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\]|\\.)*\",?)*)\})?"
    r" (?P<value>[-+]?(?:[0-9.eE+-]+|Inf|NaN))$"
)
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
_TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


@dataclass
class Family:
    name: str
    type: str
    help: str = ""
    samples: list[tuple[str, dict[str, str], float]] = field(default_factory=list)


def parse(text: str) -> dict[str, Family]:
    """Families by name; raises AssertionError on anything malformed."""
    assert text.endswith("\n"), "exposition must end with a newline"
    families: dict[str, Family] = {}
    helps: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith("# HELP "):
            name, _, help_text = line[7:].partition(" ")
            helps[name] = help_text
            continue
        if line.startswith("# TYPE "):
            name, _, kind = line[7:].partition(" ")
            assert kind in _TYPES, line
            assert name not in families, f"TYPE of {name} given twice"
            families[name] = Family(name, kind, helps.get(name, ""))
            continue
        assert not line.startswith("#"), line
        match = _SAMPLE.match(line)
        assert match, f"malformed sample line: {line!r}"
        sample_name = match["name"]
        family = families.get(sample_name)
        if family is None:
            for suffix in ("_bucket", "_sum", "_count"):
                base = sample_name.removesuffix(suffix)
                if base != sample_name and families.get(base, Family("", "")).type == "histogram":
                    family = families[base]
        assert family is not None, f"sample {sample_name} has no TYPE line before it"
        labels = {
            k: bytes(v, "utf-8").decode("unicode_escape")
            for k, v in _LABEL.findall(match["labels"] or "")
        }
        family.samples.append((sample_name, labels, float(match["value"].replace("Inf", "inf"))))
    return families


def value(families: dict[str, Family], name: str, **labels: str) -> float:
    """The value of the one sample called ``name`` whose labels include ``labels`` (0 if none)."""
    base = name
    for suffix in ("_bucket", "_sum", "_count", "_total"):
        if name.endswith(suffix) and name.removesuffix(suffix) in families:
            base = name.removesuffix(suffix)
    family = families.get(name) or families.get(base)
    if family is None:
        return 0.0
    found = [
        v
        for sample, have, v in family.samples
        if sample == name and all(have.get(k) == want for k, want in labels.items())
    ]
    assert len(found) <= 1, f"{name} {labels} matches several samples"
    return found[0] if found else 0.0
