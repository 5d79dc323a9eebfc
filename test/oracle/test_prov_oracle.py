"""The projection's PROV-JSON, read by the Python `prov` package.

The inputs are the fixture journals of test/core/fixtures/journals.ts,
exported by the compiled test build:

    npx tsc -p tsconfig.test.json
    node build/test/core/fixtures/export-fixtures.js OUT_DIR

This module runs the second command itself, into a temporary folder; it
needs the first to have run (CI builds before it tests).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import prov_oracle  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
EXPORTER = REPO / "build" / "test" / "core" / "fixtures" / "export-fixtures.js"
FIXTURES = ("one-session", "restart", "empty", "odd-names", "resources", "lineage", "replay")
# test/core/fixtures/journals.ts: the journal a replay fixture replayed.
REPLAYED = "urn:uuid:6f1c2a9e-4b7d-4e21-9a3c-0d5e8f7b1a24#"


@pytest.fixture(scope="session")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not EXPORTER.exists():
        pytest.fail(f"{EXPORTER} is missing: run `npx tsc -p tsconfig.test.json` first")
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH")
    out = tmp_path_factory.mktemp("prov-json")
    subprocess.run([node, str(EXPORTER), str(out)], check=True, cwd=REPO)
    return out


def activities(checked: prov_oracle.Checked) -> dict[str, dict]:
    return {a["id"]: a for a in checked.summary["activities"]}


@pytest.mark.parametrize("name", FIXTURES)
def test_prov_loads_every_fixture_without_loss(exported: Path, name: str) -> None:
    checked = prov_oracle.check_file(exported / f"{name}.json")
    assert checked.ok, checked.problems
    assert "unusedPrefixes" not in checked.summary


def test_counts_per_record_kind_match_the_journal(exported: Path) -> None:
    counts = prov_oracle.check_file(exported / "one-session.json").summary["counts"]
    assert counts["activity"] == 6  # one session, five executions
    assert counts["agent"] == 3  # alice, the recorder, the kernel
    assert counts["wasGeneratedBy"] == 5
    assert counts["wasDerivedFrom"] == 1
    assert counts["hadMember"] == 4


def test_execution_times_status_and_errors_survive(exported: Path) -> None:
    found = activities(prov_oracle.check_file(exported / "one-session.json"))
    assert found["run:exec-1"]["startTime"] == "2026-11-24T10:00:10.010Z"
    assert found["run:exec-1"]["endTime"] == "2026-11-24T10:00:11.400Z"
    assert found["run:exec-1"]["types"] == ["nbprov:CellExecution"]
    assert [found[f"run:exec-{n}"]["status"] for n in range(1, 6)] == [
        "ok",
        "error",
        "ok",
        "interrupted",
        "running",
    ]
    assert found["run:exec-2"]["errorName"] == "NameError"
    assert found["run:exec-2"]["errorMessage"] == "name 'fit' is not defined"
    assert found["run:exec-5"]["endTime"] is None


def test_sessions_and_restart_survive(exported: Path) -> None:
    found = activities(prov_oracle.check_file(exported / "restart.json"))
    assert found["run:session-1"]["types"] == ["nbprov:KernelSession"]
    assert found["run:session-1"]["endTime"] == "2026-11-24T10:00:26.000Z"
    assert found["run:exec-2"]["status"] == "died"
    assert found["run:exec-5"]["status"] == "aborted"


def test_resource_aggregates_and_the_environment_survive(exported: Path) -> None:
    from prov.model import ProvDocument

    document = ProvDocument.deserialize(str(exported / "resources.json"), format="json")
    records = {str(r.identifier): r for r in document.get_records() if r.identifier}
    execution = {str(k): v for k, v in records["run:exec-1"].attributes}
    # Figures worked out by hand in test/core/fixtures/journals.ts.
    assert execution["nbprov:cpuSeconds"] == 8
    assert execution["nbprov:wallSeconds"] == 10
    assert execution["nbprov:peakRssBytes"] == 3_000_000_000
    assert execution["nbprov:gpuSeconds"] == 15
    assert execution["nbprov:gpuEnergyJoules"] == 5000
    assert execution["nbprov:cpuEnergyJoules"] == 900
    assert execution["nbprov:peakGpuMemoryBytes"] == 4_000_000_000
    assert execution["nbprov:sampleCount"] == 2
    environment = {str(k): v for k, v in records["run:env-1"].attributes}
    assert str(environment["prov:type"]) == "nbprov:Environment"
    assert environment["nbprov:logicalCores"] == 128
    assert environment["nbprov:slurmJobId"] == "4242"
    assert json.loads(environment["nbprov:gpus"])[1]["name"] == "NVIDIA A100-SXM4-80GB"
    used = [
        r
        for r in document.get_records()
        if r.get_type().localpart == "Usage"
        and str(r.formal_attributes[1][1]) == "run:env-1"
    ]
    assert [str(u.formal_attributes[0][1]) for u in used] == ["run:session-1"]


def records_of(path: Path) -> tuple[object, dict]:
    from prov.model import ProvDocument

    document = ProvDocument.deserialize(str(path), format="json")
    return document, {str(r.identifier): r for r in document.get_records() if r.identifier}


def test_a_replay_links_to_the_executions_it_replayed(exported: Path) -> None:
    document, records = records_of(exported / "replay.json")
    replay = {str(k): v for k, v in records["run:replay-1"].attributes}
    assert str(replay["prov:type"]) == "nbprov:Replay"
    assert replay["nbprov:verdict"] == "differs"
    assert replay["nbprov:replayedCellId"] == "c-show"
    informants = sorted(
        r.formal_attributes[1][1].uri
        for r in document.get_records()
        if r.get_type().localpart == "Communication"
        and str(r.formal_attributes[0][1]) == "run:replay-1"
    )
    assert informants == [f"{REPLAYED}exec-{n}" for n in (2, 3, 4)]
    last = {str(k): v for k, v in records["run:exec-3"].attributes}
    assert last["nbprov:replayOf"].uri == f"{REPLAYED}exec-4"
    assert last["nbprov:replayVerdict"] == "differs"


def relation_pairs(document, kind: str) -> set[tuple[str, str]]:
    return {
        (str(r.formal_attributes[0][1]), str(r.formal_attributes[1][1]))
        for r in document.get_records()
        if r.get_type().localpart == kind
    }


def test_variables_and_files_flow_between_executions(exported: Path) -> None:
    # c-data writes data.csv; c-load reads it into rows; c-scale rebinds
    # rows (rows *= 2); c-show prints it (test/core/fixtures/journals.ts).
    document, records = records_of(exported / "lineage.json")
    rows = {str(k): v for k, v in records["run:var-rows@2"].attributes}
    assert str(rows["prov:type"]) == "nbprov:Variable"
    assert rows["nbprov:name"] == "rows"
    data = {str(k): v for k, v in records["run:file-data%2Ecsv@1"].attributes}
    assert str(data["prov:type"]) == "nbprov:File" and data["nbprov:path"] == "data.csv"
    generated = relation_pairs(document, "Generation")
    used = relation_pairs(document, "Usage")
    assert ("run:file-data%2Ecsv@1", "run:exec-1") in generated
    assert ("run:exec-2", "run:file-data%2Ecsv@1") in used
    assert ("run:var-rows@2", "run:exec-2") in generated
    assert ("run:exec-3", "run:var-rows@2") in used
    assert ("run:var-rows@3", "run:exec-3") in generated
    assert ("run:exec-4", "run:var-rows@3") in used
    assert ("run:exec-4", "run:var-rows@2") not in used


def test_cli_prints_a_summary_and_succeeds(exported: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(Path(prov_oracle.__file__)), str(exported / "restart.json")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads(result.stdout)
    assert summary["ok"] is True
    assert summary["counts"]["activity"] == 8


UNDECLARED = {
    "prefix": {"ex": "https://example.org/ns#"},
    "entity": {"ex:e": {"foo:size": 1}},
    "activity": {"ex:a": {"prov:startTime": "2026-11-24T10:00:00.000Z"}},
    "used": {"_:u": {"prov:activity": "ex:a", "prov:entity": "bar:e"}},
}


def test_an_undeclared_prefix_is_a_failure(tmp_path: Path) -> None:
    path = tmp_path / "undeclared.json"
    path.write_text(json.dumps(UNDECLARED), encoding="utf-8")
    checked = prov_oracle.check_file(path)
    assert not checked.ok
    assert any("'foo'" in p for p in checked.problems), checked.problems
    assert any("'bar'" in p for p in checked.problems), checked.problems


def test_the_cli_exits_non_zero_on_failure(tmp_path: Path) -> None:
    path = tmp_path / "undeclared.json"
    path.write_text(json.dumps(UNDECLARED), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(Path(prov_oracle.__file__)), str(path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert json.loads(result.stdout)["ok"] is False


def test_values_prov_drops_are_failures() -> None:
    document = {
        "prefix": {"ex": "https://example.org/ns#"},
        "entity": {"ex:e": {"ex:gone": None}},
        "activity": {"ex:a": {"prov:startTime": "not a time"}},
    }
    checked = prov_oracle.check_text(json.dumps(document))
    assert not checked.ok
    assert any("null" in p for p in checked.problems), checked.problems
    assert any("not an xsd:dateTime" in p for p in checked.problems), checked.problems


def test_prov_and_xsd_must_be_declared_too() -> None:
    document = {
        "prefix": {"ex": "https://example.org/ns#"},
        "entity": {"ex:e": {"prov:type": {"$": "ex:Thing", "type": "xsd:QName"}}},
        "hadMember": {"_:m": {"prov:collection": "ex:c", "prov:entity": ["ex:e", "ex:f"]}},
    }
    checked = prov_oracle.check_text(json.dumps(document))
    # PROV-JSON readers predefine prov and xsd; our documents declare every
    # prefix they use, so the oracle requires them too.
    assert any("'xsd'" in p for p in checked.problems), checked.problems
    assert any("'prov'" in p for p in checked.problems), checked.problems
    document["prefix"]["xsd"] = "http://www.w3.org/2001/XMLSchema#"
    document["prefix"]["prov"] = "http://www.w3.org/ns/prov#"
    checked = prov_oracle.check_text(json.dumps(document))
    assert checked.ok, checked.problems
    assert checked.summary["counts"]["hadMember"] == 2
