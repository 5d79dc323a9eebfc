"""Check a PROV-JSON file with the Python `prov` package, the outside oracle.

`prov` does not validate: it drops names whose prefix is undeclared, null
values and unparsable times, with at most a warning. So this module counts
what the raw JSON holds, loads it, serializes and reloads it, and reports a
failure whenever anything was lost, any prefix is undeclared, or `prov`
warned.

Usage: python test/oracle/prov_oracle.py FILE.json
Prints a JSON summary; exits 1 when the file fails a check.
"""

from __future__ import annotations

import json
import re
import sys
import warnings
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from prov.constants import PROV_N_MAP
from prov.model import ProvDocument

NBPROV = "https://w3id.org/nbprov/ns#"
PROV = "http://www.w3.org/ns/prov#"
XSD_QNAME_TYPES = {"xsd:QName", "prov:QUALIFIED_NAME"}
# A scheme, then no whitespace: what "absolute IRI" means for a prefix.
ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S*$")
RECORD_KINDS = set(PROV_N_MAP.values()) - {"bundle"}


class Checked:
    """The outcome of checking one document: problems and a summary."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.summary: dict[str, Any] = {}

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "problems": self.problems, **self.summary}


def _prefix_of(name: str) -> str | None:
    """The prefix of a qualified name text, or None for blank nodes."""
    if name.startswith("_:") or ":" not in name:
        return None
    return name.split(":", 1)[0]


def _values(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _raw_inventory(raw: dict[str, Any], checked: Checked) -> dict[str, Any]:
    """Count records and attribute values per kind, and check prefixes."""
    declared = raw.get("prefix", {})
    if not isinstance(declared, dict):
        checked.problems.append('"prefix" is not an object')
        declared = {}
    for prefix, iri in declared.items():
        if not isinstance(iri, str) or not ABSOLUTE_IRI.match(iri):
            checked.problems.append(f"prefix {prefix!r}: {iri!r} is not an absolute IRI")
    used: set[str] = set()

    def use(name: Any, where: str) -> None:
        if not isinstance(name, str):
            checked.problems.append(f"{where}: {name!r} is not a qualified name")
            return
        prefix = _prefix_of(name)
        if prefix is None:
            return
        used.add(prefix)
        # prov and xsd are predefined for a PROV-JSON reader; we declare
        # them anyway, so every prefix must be in the block.
        if prefix not in declared:
            checked.problems.append(f"{where}: prefix {prefix!r} of {name!r} is not declared")

    records: Counter[str] = Counter()
    values: Counter[str] = Counter()
    ids: set[str] = set()
    for kind, group in raw.items():
        if kind == "prefix":
            continue
        if kind not in RECORD_KINDS:
            checked.problems.append(f"unknown top-level key {kind!r}")
            continue
        for rec_id, content in group.items():
            use(rec_id, f"{kind} id")
            if not rec_id.startswith("_:"):
                ids.add(rec_id)
            for element in _values(content):
                members = 1
                if kind == "hadMember" and isinstance(element.get("prov:entity"), list):
                    members = len(element["prov:entity"])
                records[kind] += members
                for attr, value in element.items():
                    where = f"{kind} {rec_id}, {attr}"
                    use(attr, where)
                    items = _values(value)
                    if not items:
                        checked.problems.append(f"{where}: empty list")
                    if kind == "hadMember" and attr == "prov:entity":
                        values[kind] += len(items)
                    else:
                        values[kind] += len(items) * members
                    for item in items:
                        if item is None:
                            checked.problems.append(f"{where}: null value")
                        elif isinstance(item, dict):
                            if "type" in item:
                                use(item["type"], f"{where}, datatype")
                            if item.get("type") in XSD_QNAME_TYPES:
                                use(item.get("$"), f"{where}, value")
                            if not isinstance(item.get("$"), str):
                                checked.problems.append(f"{where}: \"$\" is not a string")
                        elif attr.startswith("prov:") and isinstance(item, str) and _is_formal_ref(attr):
                            use(item, where)
    for prefix in sorted(set(declared) - used - {"prov", "xsd"}):
        # Not an error in PROV-JSON; reported so a test can see it.
        checked.summary.setdefault("unusedPrefixes", []).append(prefix)
    return {"records": records, "values": values, "ids": ids}


_FORMAL_TIMES = {"prov:time", "prov:startTime", "prov:endTime"}


def _is_formal_ref(attr: str) -> bool:
    return attr not in _FORMAL_TIMES and attr not in {
        "prov:type",
        "prov:label",
        "prov:role",
        "prov:value",
        "prov:location",
    }


def _inventory(doc: ProvDocument) -> dict[str, Any]:
    """The same counts, taken from what `prov` loaded."""
    records: Counter[str] = Counter()
    values: Counter[str] = Counter()
    ids: set[str] = set()
    for record in doc.get_records():
        kind = PROV_N_MAP[record.get_type()]
        records[kind] += 1
        values[kind] += sum(1 for _, value in record.attributes if value is not None)
        if record.identifier is not None:
            ids.add(str(record.identifier))
    return {"records": records, "values": values, "ids": ids}


def _load(text: str, checked: Checked, stage: str) -> ProvDocument | None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            doc = ProvDocument.deserialize(content=text, format="json")
        except Exception as exc:  # the oracle reports, the caller decides
            checked.problems.append(f"{stage}: prov could not load it: {exc}")
            return None
    for warning in caught:
        checked.problems.append(f"{stage}: prov warned: {warning.message}")
    return doc


def _compare(expected: dict[str, Any], actual: dict[str, Any], checked: Checked, stage: str) -> None:
    for key in ("records", "values"):
        if expected[key] != actual[key]:
            checked.problems.append(
                f"{stage}: {key} per kind differ: "
                f"{dict(sorted(expected[key].items()))} != {dict(sorted(actual[key].items()))}"
            )
    if expected["ids"] != actual["ids"]:
        lost = sorted(expected["ids"] - actual["ids"])
        extra = sorted(actual["ids"] - expected["ids"])
        checked.problems.append(f"{stage}: ids lost {lost}, ids added {extra}")


def _time(value: Any) -> str | None:
    if not isinstance(value, datetime):
        return None
    text = value.astimezone(timezone.utc).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def _activities(doc: ProvDocument) -> list[dict[str, Any]]:
    out = []
    for record in doc.get_records():
        if PROV_N_MAP[record.get_type()] != "activity":
            continue
        by_uri: dict[str, list[Any]] = {}
        for name, value in record.attributes:
            by_uri.setdefault(name.uri, []).append(value)

        def one(uri: str) -> Any:
            found = by_uri.get(uri)
            return None if not found else found[0]

        def text(uri: str) -> str | None:
            value = one(uri)
            return None if value is None else str(value)

        out.append(
            {
                "id": str(record.identifier),
                "types": sorted(str(v) for v in by_uri.get(PROV + "type", [])),
                "startTime": _time(one(PROV + "startTime")),
                "endTime": _time(one(PROV + "endTime")),
                "status": text(NBPROV + "status"),
                "errorName": text(NBPROV + "errorName"),
                "errorMessage": text(NBPROV + "errorMessage"),
                "cpuSeconds": one(NBPROV + "cpuSeconds"),
                "sampleCount": one(NBPROV + "sampleCount"),
            }
        )
    return out


def check_text(text: str) -> Checked:
    """Check PROV-JSON text; never raises for a bad document."""
    checked = Checked()
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        checked.problems.append(f"not JSON: {exc}")
        return checked
    if not isinstance(raw, dict):
        checked.problems.append("the document is not a JSON object")
        return checked
    expected = _raw_inventory(raw, checked)
    doc = _load(text, checked, "load")
    if doc is None:
        return checked
    _compare(expected, _inventory(doc), checked, "load")
    again = _load(doc.serialize(format="json"), checked, "round trip")
    if again is not None:
        _compare(expected, _inventory(again), checked, "round trip")
    try:
        doc.get_provn()
    except Exception as exc:
        checked.problems.append(f"PROV-N: prov could not write it: {exc}")
    checked.summary["counts"] = dict(sorted(expected["records"].items()))
    checked.summary["activities"] = _activities(doc)
    return checked


def check_file(path: str | Path) -> Checked:
    return check_text(Path(path).read_text(encoding="utf-8"))


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: prov_oracle.py FILE.json", file=sys.stderr)
        return 2
    checked = check_file(argv[1])
    print(json.dumps({"file": argv[1], **checked.as_json()}, indent=2))
    return 0 if checked.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
