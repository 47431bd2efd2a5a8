"""'ecolabel check': the JSON contract, the text table, exit codes and errors naming the field."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from registry.cli import main
from tests.conftest import ROOT

PRODUCTS = ROOT / "examples" / "products"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_json_report_follows_the_contract() -> None:
    code, out, _ = run("check", str(PRODUCTS / "split-ac-r410a-2.6kw.json"), "--date", "2026-11-23", "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert report["date"] == "2026-11-23"
    assert report["product"]["model"] == "Split R-410A 2.6 kW"
    verdicts = {f"{r['standard']}@{r['version']}": r["verdict"] for r in report["results"]}
    assert verdicts["de-uz-204@2016-08"] == "fails"
    blue = next(r for r in report["results"] if r["standard"] == "de-uz-204")
    assert blue["labels"] == ["de-blue-angel"]
    crit = {c["id"]: c for c in blue["criteria"]}
    assert crit["refrigerant-halogen-free"]["outcome"] == "fail"
    assert crit["refrigerant-halogen-free"]["parameter"] == "refrigerant.halogen_free"
    assert crit["energy-seer"]["outcome"] == "pass"


def test_text_report_shows_verdicts_outcomes_and_pathways() -> None:
    code, out, _ = run("check", str(PRODUCTS / "split-ac-r290-3.5kw.json"), "--date", "2026-11-23")
    assert code == 0
    assert "DE-UZ 204 — de-uz-204@2016-08 [de-blue-angel]: INCOMPLETE" in out
    assert "pathway from cn-cel (licence EXAMPLE-0001, held under cn-cel-room-air-conditioner@2013)" in out
    assert "via joint standard cn-de-room-air-conditioner@2017" in out
    assert "extra proof (8):" in out


def test_bad_input_exits_1_naming_the_field(tmp_path: Path) -> None:
    product = json.loads((PRODUCTS / "split-ac-r290-3.5kw.json").read_text())
    product["values"]["cooling.capacity.rated"]["unit"] = "m"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(product))
    code, out, err = run("check", str(bad))
    assert code == 1 and out == ""
    assert f"{bad}: /values/cooling.capacity.rated/unit: Rated cooling capacity" in err
    assert "'m' measures a length" in err
    bad.write_text('{"category": "room-air-conditioner", "values": {')
    code, _, err = run("check", str(bad))
    assert code == 1 and err.startswith(f"{bad}: ") and "JSON" in err


def test_missing_file_and_bad_date_exit_2(tmp_path: Path) -> None:
    assert run("check", str(tmp_path / "none.json"))[0] == 2
    code, _, err = run("check", str(PRODUCTS / "scanner.json"), "--date", "2026-02-30")
    assert code == 2 and "--date" in err


def test_a_declaration_from_standard_input_and_json_errors_under_format_json() -> None:
    body = (PRODUCTS / "split-ac-r410a-2.6kw.json").read_text(encoding="utf-8")
    piped = CliRunner().invoke(main, ["check", "-", "--date", "2026-11-23", "--format", "json"], input=body)
    from_file = run("check", str(PRODUCTS / "split-ac-r410a-2.6kw.json"), "--date", "2026-11-23", "--format", "json")
    assert piped.exit_code == 0 and json.loads(piped.stdout) == json.loads(from_file[1])
    bad = CliRunner().invoke(main, ["check", "-", "--format", "json"], input='{"category": 5}')
    error = json.loads(bad.stdout)["error"]
    assert bad.exit_code == 1 and error["findings"] and error["findings"][0]["pointer"].startswith("/")
    broken = CliRunner().invoke(main, ["check", "-", "--format", "json"], input="{not json")
    assert broken.exit_code == 1 and json.loads(broken.stdout)["error"]["findings"]
    code, out, _ = run("check", "no-such-file.json", "--format", "json")
    assert code == 2 and "no such file" in json.loads(out)["error"]["message"]


def test_help_lists_whole_summaries_and_takes_dash_h() -> None:
    result = CliRunner().invoke(main, ["-h"], terminal_width=200)
    assert result.exit_code == 0 and "..." not in result.stdout.split("Commands:")[1]
    assert (
        "Compare standard A with standard B criterion by criterion (ID[@VERSION], a JSON file, or - for one read "
        "from standard input)." in result.stdout
    )
    user = CliRunner().invoke(main, ["user", "-h"], terminal_width=200)
    assert "token" in user.stdout and "reset-password" in user.stdout
    token = CliRunner().invoke(main, ["user", "token", "-h"], terminal_width=200)
    assert "Make a token for USERNAME and print its secret once (it is stored hashed)." in token.stdout


def test_validate_and_diff_read_a_document_from_standard_input(tmp_path: Path) -> None:
    from tests.conftest import STANDARDS

    doc = json.loads((STANDARDS / "criteria" / "cn-de-room-air-conditioner" / "2017.json").read_text())
    doc["version"] = "2090"
    body = json.dumps(doc, ensure_ascii=False)
    # Validated in the registry's context, and reported under the name "-".
    good = CliRunner().invoke(main, ["validate", "-", "--format", "json"], input=body)
    assert good.exit_code == 0 and json.loads(good.stdout)["files"] == [{"path": "-", "valid": True, "errors": []}]
    doc["criteria"][0]["parameter"] = "no-such-parameter"
    bad = CliRunner().invoke(main, ["validate", "-", "--format", "json"], input=json.dumps(doc))
    found = json.loads(bad.stdout)["files"]
    assert bad.exit_code == 1 and found[0]["path"] == "-"
    assert any(e["pointer"] == "/criteria/0/parameter" for e in found[0]["errors"])
    broken = CliRunner().invoke(main, ["validate", "-"], input="{")
    assert broken.exit_code == 1 and broken.stdout.startswith("-: ") and "JSON" in broken.stdout
    # Standard input stands for A (or B) of a diff; the same as the file would.
    saved = tmp_path / "b.json"
    doc["criteria"][0]["parameter"] = json.loads(body)["criteria"][0]["parameter"]
    saved.write_text(json.dumps(doc), encoding="utf-8")
    piped = CliRunner().invoke(main, ["diff", "-", "de-uz-204@2016-08", "--format", "json"], input=json.dumps(doc))
    from_file = run("diff", str(saved), "de-uz-204@2016-08", "--format", "json")
    assert piped.exit_code == 0 and json.loads(piped.stdout) == json.loads(from_file[1])
    twice = CliRunner().invoke(main, ["diff", "-", "-"], input=body)
    assert twice.exit_code == 2 and "not both" in twice.stderr
    label = (STANDARDS / "labels" / "de-blue-angel.json").read_text()
    wrong = CliRunner().invoke(main, ["diff", "de-uz-204", "-"], input=label)
    assert wrong.exit_code == 1 and wrong.stderr.startswith("-: ") and "not a criteria document" in wrong.stderr


def _complete(words: str) -> list[str]:
    env = {"_ECOLABEL_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - 1)}
    result = CliRunner().invoke(main, [], env=env, prog_name="ecolabel")
    return result.stdout.split()


def test_shell_completion_offers_document_ids(tmp_path: Path) -> None:
    shown = _complete("ecolabel show de-uz-2")
    assert shown == ["plain,de-uz-204", "plain,de-uz-204@2016-08", "plain,de-uz-230", "plain,de-uz-230@2023"]
    assert "plain,de-blue-angel" in _complete("ecolabel show de-b")  # labels too
    assert "plain,de-blue-angel" not in _complete("ecolabel diff de-b")  # diff takes standards (or files)
    assert _complete("ecolabel diff ./my")[-1] == "file,./my"
    assert _complete("ecolabel in-force cn-de-room") == [
        "plain,cn-de-room-air-conditioner",
        "plain,cn-de-room-air-conditioner@2017",
    ]
    # --standards names another folder: its documents are offered, and an unreadable file is passed over.
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    doc = json.loads((ROOT / "standards" / "criteria" / "de-uz-204" / "2016-08.json").read_text())
    doc["id"], doc["version"] = "xx-own-standard", "1"
    (tmp_path / "own.json").write_text(json.dumps(doc), encoding="utf-8")
    assert _complete(f"ecolabel --standards {tmp_path} show xx") == ["plain,xx-own-standard", "plain,xx-own-standard@1"]
