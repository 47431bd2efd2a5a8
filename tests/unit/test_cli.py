"""The ecolabel command line: exit codes, text and JSON contracts."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from registry.cli import main
from tests.conftest import EXAMPLES, STANDARDS

INVALID = EXAMPLES / "invalid"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_validate_bundled_exits_zero() -> None:
    code, out, _ = run("validate")
    assert code == 0
    assert out.strip().endswith("all valid")


def test_validate_text_lists_path_pointer_message() -> None:
    path = INVALID / "wrong-dimension.json"
    code, out, err = run("validate", str(path))
    assert code == 1
    assert f"{path}: /criteria/1/requirement/value/unit: Sound power level" in out and "'kW' measures a power" in out
    assert "1 invalid, 1 errors" in err


def test_validate_json_contract() -> None:
    good = STANDARDS / "criteria" / "de-uz-204" / "2016-08.json"
    bad = INVALID / "nan.json"
    code, out, _ = run("validate", "--format", "json", str(good), str(bad))
    assert code == 1
    data = json.loads(out)
    assert set(data) == {"valid", "files"} and data["valid"] is False
    by_path = {f["path"]: f for f in data["files"]}
    assert by_path[str(good)] == {"path": str(good), "valid": True, "errors": []}
    assert by_path[str(bad)]["errors"] == [
        {
            "pointer": "/criteria/0/requirement/value/value",
            "message": "NaN is not a finite number; JSON allows only finite numbers",
        }
    ]


def test_validate_folder_collects_every_file(tmp_path: Path) -> None:
    for name in ("empty.json", "truncated.json", "top-level-array.json"):
        shutil.copy(INVALID / name, tmp_path / name)
    code, out, _ = run("validate", "--format", "json", str(tmp_path))
    assert code == 1
    assert sorted(Path(f["path"]).name for f in json.loads(out)["files"]) == [
        "empty.json",
        "top-level-array.json",
        "truncated.json",
    ]


@pytest.mark.parametrize("args", [["validate", "/no/such/path.json"], ["validate", "--format", "yaml"], ["frobnicate"]])
def test_usage_errors_exit_two(args: list[str]) -> None:
    code, _, _ = run(*args)
    assert code == 2


def test_list_standards_json_fields() -> None:
    code, out, _ = run("list", "--type", "standard", "--format", "json")
    assert code == 0
    items = json.loads(out)
    assert len(items) >= 8
    for item in items:
        assert {"id", "type", "title", "version", "kind", "labels", "category", "status"} <= set(item)
        assert item["type"] == "standard"
    assert {i["id"] for i in items if i["kind"] == "joint"} >= {"cn-de-room-air-conditioner", "cn-jp-scanner"}
    assert len({label for i in items for label in i["labels"]}) >= 4


@pytest.mark.parametrize(("kind", "minimum"), [("label", 25), ("agreement", 15), ("parameter", 40), ("category", 10)])
def test_list_counts_per_type(kind: str, minimum: int) -> None:
    code, out, _ = run("list", "--type", kind, "--format", "json")
    items = json.loads(out)
    assert code == 0 and len(items) >= minimum
    assert all(i["type"] == kind and i["id"] and i["title"] for i in items)


def test_list_text_without_type_shows_everything() -> None:
    code, out, _ = run("list")
    assert code == 0
    kinds = {line.split()[0] for line in out.splitlines()}
    assert kinds == {"label", "standard", "agreement", "licence", "parameter", "category"}


def test_show_latest_published_version() -> None:
    code, out, _ = run("show", "cn-cel-room-air-conditioner", "--format", "json")
    assert code == 0
    assert json.loads(out)["designation"] == "HJ 2535-2013"


def test_show_named_version_text() -> None:
    code, out, _ = run("show", "cn-cel-room-air-conditioner@2006")
    assert code == 0
    assert out.startswith("cn-cel-room-air-conditioner@2006  HJ/T 304-2006")
    assert "status: superseded" in out


def test_show_standard_text_groups_by_topic_with_units_and_flags() -> None:
    code, out, _ = run("show", "de-uz-204")
    assert code == 0
    assert "energy:\n" in out and "energy.seer > or ≥ 7 W/W (comparator not known) [secondary]" in out
    assert "refrigerant.gwp100 < or ≤ 5 (comparator not known)" in out
    assert "noise.indoor.sound_power ≤ (value not known)" in out


def test_show_label_and_agreement() -> None:
    code, out, _ = run("show", "cn-cel")
    assert code == 0 and "GENICES: certified since 2012" in out
    code, out, _ = run("show", "cec-geca-mra-2005")
    assert code == 0 and "2005-01-25  signed" in out


def test_list_and_show_licences() -> None:
    code, out, _ = run("list", "--type", "licence", "--format", "json")
    listed = {item["id"]: item for item in json.loads(out)}
    assert code == 0 and listed["jp-eco-mark-17133003"]["number"] == "17 133 003"
    midea = listed["de-blue-angel-midea-room-air-conditioner-2018"]
    assert midea["standard"] == "de-uz-204@2016-08" and midea["number"] is None and midea["products"] == 2
    code, out, _ = run("show", "de-blue-angel-midea-room-air-conditioner-2018")
    assert code == 0 and "(number not published)" in out and "  energy.scop = 4.6 W/W" in out
    code, out, _ = run("show", "jp-eco-mark-17133003", "--format", "json")
    assert code == 0 and json.loads(out)["$schema"] == "urn:ecolabel:schema:licence:1"


@pytest.mark.parametrize(
    ("ident", "message"),
    [
        ("nothing-here", "no document with that id"),
        ("de-uz-204@1999", "de-uz-204 has no version '1999' (versions: 2016-08)"),
        ("cn-cel@2012", "a label has no versions"),
        ("energy.seer", "this is a parameter"),
    ],
)
def test_show_unknown_is_a_clear_error(ident: str, message: str) -> None:
    code, _, err = run("show", ident)
    assert code == 1
    assert message in err


def test_console_script_is_installed_and_runs() -> None:
    exe = Path(sys.executable).with_name("ecolabel")
    out = subprocess.run([str(exe), "validate", "--format", "json"], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["valid"] is True


DIFF = EXAMPLES / "diff"


def test_diff_json_contract() -> None:
    code, out, _ = run("diff", "cn-de-room-air-conditioner@2017", "de-uz-204", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["a"] == {"id": "cn-de-room-air-conditioner", "version": "2017"}
    assert data["b"] == {"id": "de-uz-204", "version": "2016-08"}
    assert data["mode"] == "cross_label"
    summary = data["summary"]
    relations = ["identical", "equivalent", "a_stricter", "b_stricter", "overlap", "conflict", "not_comparable"]
    assert all(isinstance(summary[k], int) for k in [*relations, "only_a", "only_b"])
    assert sum(summary[k] for k in [*relations, "only_a", "only_b"]) == len(data["pairs"])
    assert 0 <= summary["coverage_a_to_b"] <= 1 and 0 <= summary["coverage_b_to_a"] <= 1
    for pair in data["pairs"]:
        assert {"parameter", "a", "b", "relation", "detail"} <= set(pair)
    assert all(set(p) == {"criterion", "reason"} for p in data["extra_proof_a_to_b"])
    assert data["editorial"] == []


def test_diff_revision_by_id_and_files_agree() -> None:
    code, by_id, _ = run(
        "diff", "cn-cel-room-air-conditioner@2006", "cn-cel-room-air-conditioner@2013", "--format", "json"
    )
    folder = STANDARDS / "criteria" / "cn-cel-room-air-conditioner"
    code2, by_file, _ = run("diff", str(folder / "2006.json"), str(folder / "2013.json"), "--format", "json")
    assert code == code2 == 0
    assert json.loads(by_id) == json.loads(by_file)
    assert json.loads(by_id)["mode"] == "revision" and json.loads(by_id)["editorial"]


def test_diff_text_groups_by_topic_with_values_side_by_side() -> None:
    case = DIFF / "stricter"
    code, out, _ = run("diff", str(case / "a.json"), str(case / "b.json"))
    assert code == 0
    assert "\nrefrigerant\n" in out and "\nenergy\n" in out
    assert "≥ 6.1 W/W" in out and "≥ 7 W/W" in out and "B is stricter" in out
    assert "a holder of A surely meets 57% of B's mandatory criteria" in out
    assert "- seer:" in out  # extra proof for a holder of A


def test_diff_rejects_unknown_ids_and_invalid_files(tmp_path: Path) -> None:
    code, _, err = run("diff", "no-such-standard", "de-uz-204")
    assert code == 1 and "no standard with id 'no-such-standard'" in err
    code, _, err = run("diff", "de-uz-204@1999", "de-uz-204")
    assert code == 1 and "has no version '1999'" in err
    bad = tmp_path / "bad.json"
    doc = json.loads((DIFF / "stricter" / "a.json").read_text())
    doc["criteria"][0]["requirement"]["value"]["unit"] = "kW"
    bad.write_text(json.dumps(doc))
    code, out, err = run("diff", str(bad), "de-uz-204")
    assert code == 1 and out == ""
    assert f"{bad}: /criteria/0/requirement/value/unit:" in err
    code, _, err = run("diff", str(STANDARDS / "labels" / "cn-cel.json"), "de-uz-204")
    assert code == 1 and "not a criteria document" in err
    code, _, err = run("diff", str(tmp_path / "missing.json"), "de-uz-204")
    assert code == 2 and "no such file" in err


def test_stats_counts_the_data_truth() -> None:
    code, out, _ = run("stats", "--format", "json")
    found = json.loads(out)
    assert code == 0 and found["licences"] >= 3 and found["complete_versions"] >= 1
    assert sum(found["with_value_by_verification"].values()) == found["criteria_with_value"]
