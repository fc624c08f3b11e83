"""Reference data as TOML, loaded once into typed, frozen records.

English texts here are msgids: translations/babel.cfg extracts them (catalog/extract.py) and pages
show them through gettext, so a status explanation is translated like any other string.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

CATALOG_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Step:
    code: str
    name: str
    position: int


@dataclass(frozen=True)
class CaseStatus:
    code: str
    step: str
    wording: str
    explanation: str
    next_step: str
    action_required: bool
    decided: bool


@dataclass(frozen=True)
class Form:
    code: str
    title: str
    protected: bool


@dataclass(frozen=True)
class Office:
    code: str
    name: str
    kind: str
    receipt_prefixes: tuple[str, ...]


@dataclass(frozen=True)
class ProcessingTime:
    form: str
    office: str
    months: float
    published_on: date
    sample_data: bool


@dataclass(frozen=True)
class Catalog:
    steps: dict[str, Step]
    statuses: dict[str, CaseStatus]
    forms: dict[str, Form]
    offices: dict[str, Office]
    processing_times: dict[tuple[str, str], ProcessingTime]

    def office_for_prefix(self, prefix: str) -> Office | None:
        return self._prefixes().get(prefix)

    @property
    def receipt_prefixes(self) -> frozenset[str]:
        return frozenset(self._prefixes())

    def _prefixes(self) -> dict[str, Office]:
        return {p: office for office in self.offices.values() for p in office.receipt_prefixes}

    def processing_time(self, form: str, office: str) -> ProcessingTime | None:
        return self.processing_times.get((form, office))


def _read(name: str) -> dict:
    with open(CATALOG_DIR / name, "rb") as handle:
        return tomllib.load(handle)


def _unique(records, kind: str) -> dict:
    by_code = {}
    for record in records:
        if record.code in by_code:
            raise ValueError(f"duplicate {kind} code {record.code!r}")
        by_code[record.code] = record
    return by_code


@cache
def load_catalog() -> Catalog:
    """Load and cross-check the catalog; a broken catalog fails at start-up, not on a page."""
    raw_statuses = _read("statuses.toml")
    steps = _unique(
        (Step(s["code"], s["name"], i) for i, s in enumerate(raw_statuses["step"])), "step"
    )
    statuses = _unique(
        (
            CaseStatus(
                code=s["code"],
                step=s["step"],
                wording=s["wording"],
                explanation=s["explanation"],
                next_step=s["next_step"],
                action_required=s.get("action_required", False),
                decided=s.get("decided", False),
            )
            for s in raw_statuses["status"]
        ),
        "status",
    )
    for status in statuses.values():
        if status.step not in steps:
            raise ValueError(f"status {status.code!r} names unknown step {status.step!r}")
    forms = _unique(
        (Form(f["code"], f["title"], f.get("protected", False)) for f in _read("forms.toml")["form"]),
        "form",
    )
    offices = _unique(
        (
            Office(o["code"], o["name"], o["kind"], tuple(o.get("receipt_prefixes", ())))
            for o in _read("offices.toml")["office"]
        ),
        "office",
    )
    raw_times = _read("processing_times.toml")
    times = {}
    for form, by_office in raw_times["months"].items():
        for office, months in by_office.items():
            if form not in forms or office not in offices:
                raise ValueError(f"processing time for unknown form/office {form}/{office}")
            times[(form, office)] = ProcessingTime(
                form, office, float(months), raw_times["published_on"], raw_times["sample_data"]
            )
    return Catalog(steps, statuses, forms, offices, times)


# --- access events -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """A coded catalog entry with a display name and, for most kinds, a plain explanation."""

    code: str
    name: str
    explanation: str = ""
    agency: str = ""  # for components and systems
    citation: str = ""  # for SORNs


@dataclass(frozen=True)
class AccessCatalog:
    agencies: dict[str, Entry]
    components: dict[str, Entry]
    systems: dict[str, Entry]
    actions: dict[str, Entry]
    purposes: dict[str, Entry]
    data_categories: dict[str, Entry]
    sorns: dict[str, Entry]
    statutes: dict[str, Entry]
    exemptions: dict[str, Entry]


@cache
def load_access_catalog() -> AccessCatalog:
    raw = _read("access.toml")

    def entries(kind: str) -> dict[str, Entry]:
        return _unique((Entry(**item) for item in raw[kind]), kind)

    catalog = AccessCatalog(
        agencies=entries("agency"), components=entries("component"), systems=entries("system"),
        actions=entries("action"), purposes=entries("purpose"), data_categories=entries("data_category"),
        sorns=entries("sorn"), statutes=entries("statute"), exemptions=entries("exemption"),
    )
    for entry in (*catalog.components.values(), *catalog.systems.values()):
        if entry.agency not in catalog.agencies:
            raise ValueError(f"{entry.code!r} names unknown agency {entry.agency!r}")
    return catalog
