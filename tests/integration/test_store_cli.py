"""The database commands on both engines: db upgrade (seeding), import, export round trip, backup, audit."""

from __future__ import annotations

import filecmp
import json
import os
import pty
import subprocess
import sys
from contextlib import nullcontext
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import text

from registry.cli import main
from registry.store.engine import make_engine
from tests.conftest import ROOT, STANDARDS
from tests.integration.conftest import postgres_schema


def ecolabel(url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner(env={"DATABASE_URL": url}).invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_commands_refuse_an_unmigrated_database(db_url: str) -> None:
    code, _, err = ecolabel(db_url, "db", "status")
    assert code == 1 and "has no registry tables; run: ecolabel db upgrade" in err


def test_first_upgrade_seeds_and_a_second_changes_nothing(db_url: str) -> None:
    code, out, _ = ecolabel(db_url, "db", "upgrade")
    assert code == 0 and "imported (added 94, unchanged 0, updated 0, rejected 0)" in out
    code, out, _ = ecolabel(db_url, "db", "upgrade")
    assert code == 0 and "imported" not in out
    code, out, _ = ecolabel(db_url, "db", "status")
    assert "standard:published       11" in out and "label                    31" in out
    code, out, _ = ecolabel(db_url, "audit", "verify")
    assert code == 0 and "audit trail intact: 95 entries" in out


def test_reimport_is_a_no_op_and_a_changed_published_document_exits_1(db_url: str, tmp_path: Path) -> None:
    ecolabel(db_url, "db", "upgrade")
    code, out, _ = ecolabel(db_url, "import", str(STANDARDS), "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert report["committed"] and report["added"] == [] and len(report["unchanged"]) == 94
    doc = json.loads((STANDARDS / "criteria" / "de-uz-204" / "2016-08.json").read_text())
    doc["title"]["en"] += " (edited)"
    (tmp_path / "edited.json").write_text(json.dumps(doc))
    engine = make_engine(db_url)
    query = text("SELECT content_sha256 FROM standard_version WHERE doc_id = 'de-uz-204'")
    with engine.connect() as conn:
        before = conn.execute(query).scalar()
    code, _, err = ecolabel(db_url, "import", str(tmp_path / "edited.json"))
    assert code == 1
    assert (
        "edited.json: /version: de-uz-204@2016-08 is stored with other content (published content is immutable)" in err
    )
    assert "rejected: nothing was imported" in err
    with engine.connect() as conn:
        assert conn.execute(query).scalar() == before
    engine.dispose()


def test_export_import_export_is_byte_identical(db_url: str, tmp_path: Path) -> None:
    ecolabel(db_url, "db", "upgrade")
    # Give the export some history: an updated record and a withdrawn version.
    label = json.loads((STANDARDS / "labels" / "cn-cel.json").read_text())
    label["website"] = "https://www.mepcec.com/"
    (tmp_path / "label.json").write_text(json.dumps(label))
    assert ecolabel(db_url, "import", str(tmp_path / "label.json"))[0] == 0
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE standard_version SET state = 'withdrawn' WHERE doc_id = 'de-uz-230'"))
    engine.dispose()
    first, second = tmp_path / "first", tmp_path / "second"
    code, out, _ = ecolabel(db_url, "export", str(first))
    assert code == 0 and out.strip() == f"exported 94 documents to {first}"
    # Into a fresh database of the same engine.
    with (
        postgres_schema() if db_url.startswith("postgresql") else nullcontext(f"sqlite:///{tmp_path / 'f.db'}") as fresh
    ):
        assert ecolabel(fresh, "db", "upgrade", "--no-seed")[0] == 0
        code, out, _ = ecolabel(fresh, "import", str(first))
        assert code == 0 and "added 94" in out
        assert ecolabel(fresh, "export", str(second))[0] == 0
    assert _tree(first) == _tree(second)
    assert not filecmp.dircmp(first, second).diff_files
    manifest = json.loads((second / "manifest.json").read_text())
    assert {"id": "de-uz-230", "version": "2023"}.items() <= next(
        s for s in manifest["standards"] if s["id"] == "de-uz-230"
    ).items()
    assert next(s for s in manifest["standards"] if s["id"] == "de-uz-230")["state"] == "withdrawn"
    assert json.loads((second / "labels" / "cn-cel.json").read_text())["website"] == "https://www.mepcec.com/"
    assert (second / "criteria" / "cn-cel-room-air-conditioner" / "2006.json").read_text().startswith('{\n  "$schema"')


def test_backup_and_restore_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    ecolabel(url, "db", "upgrade")
    code, out, _ = ecolabel(url, "backup", str(tmp_path / "copy.sqlite3"))
    assert code == 0 and out.strip() == f"backed up to {tmp_path / 'copy.sqlite3'}"
    code, _, err = ecolabel(url, "backup", str(tmp_path / "copy.sqlite3"))
    assert code == 1 and "exists" in err
    doc = json.loads((STANDARDS / "criteria" / "de-uz-204" / "2016-08.json").read_text())
    doc["version"] = "2030"
    (tmp_path / "new.json").write_text(json.dumps(doc))
    assert ecolabel(url, "import", str(tmp_path / "new.json"))[0] == 0
    assert "standard:superseded      2" in ecolabel(url, "db", "status")[1]
    (tmp_path / "junk.sqlite3").write_bytes(b"not a database" * 100)
    code, _, err = ecolabel(url, "restore", str(tmp_path / "junk.sqlite3"))
    assert code == 1 and "not an SQLite database" in err
    assert "standard:superseded      2" in ecolabel(url, "db", "status")[1]
    code, _, _ = ecolabel(url, "restore", str(tmp_path / "copy.sqlite3"))
    assert code == 0
    assert "standard:superseded      1" in ecolabel(url, "db", "status")[1]
    assert ecolabel(url, "audit", "verify")[0] == 0


def test_backup_on_postgresql_points_to_pg_dump(pg_url: str, tmp_path: Path) -> None:
    ecolabel(pg_url, "db", "upgrade", "--no-seed")
    code, _, err = ecolabel(pg_url, "backup", str(tmp_path / "x"))
    assert code == 1 and "pg_dump" in err


def test_in_force_command(db_url: str) -> None:
    ecolabel(db_url, "db", "upgrade")
    code, out, _ = ecolabel(db_url, "in-force", "cn-cel-room-air-conditioner", "--date", "2014-03-01")
    assert code == 0 and out.splitlines()[0].startswith(
        "cn-cel-room-air-conditioner@2013  published  in force 2014-03-01"
    )
    code, _, err = ecolabel(db_url, "in-force", "cn-cel-room-air-conditioner", "--date", "2014-13-01")
    assert code == 2 and "is not a date" in err


def test_default_database_is_the_instance_sqlite_file(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["ECOLABEL_INSTANCE"] = str(tmp_path / "instance")
    result = CliRunner(env=env).invoke(main, ["db", "upgrade", "--no-seed"])
    assert result.exit_code == 0
    assert (tmp_path / "instance" / "registry.sqlite3").is_file()


def test_a_malformed_manifest_rejects_the_import(db_url: str, tmp_path: Path) -> None:
    ecolabel(db_url, "db", "upgrade", "--no-seed")
    folder = tmp_path / "export"
    (folder / "labels").mkdir(parents=True)
    (folder / "labels" / "cn-cel.json").write_text((STANDARDS / "labels" / "cn-cel.json").read_text())
    (folder / "manifest.json").write_text('{"standards": [{"id": "x"}]}')
    code, _, err = ecolabel(db_url, "import", str(folder))
    assert code == 1 and f"{folder / 'manifest.json'}: /standards: expected a list" in err
    assert "label" not in ecolabel(db_url, "db", "status")[1]


def test_import_shows_progress_on_a_terminal_and_is_quiet_otherwise(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    assert ecolabel(url, "db", "upgrade", "--no-seed")[0] == 0
    code = "import sys; from registry.cli import main; sys.exit(main())"
    env = {"DATABASE_URL": url, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "TERM": "dumb"}
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "import", str(STANDARDS / "labels")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=follower,
    )
    os.close(follower)
    terminal = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        terminal += chunk
    os.close(leader)
    assert proc.wait() == 0
    labels = len(list((STANDARDS / "labels").glob("*.json")))
    assert b"importing" in terminal and f"{labels}/{labels}".encode() in terminal
    piped = subprocess.run(
        [sys.executable, "-c", code, "import", str(STANDARDS / "vocabulary")], env=env, capture_output=True, check=True
    )
    assert b"importing" not in piped.stderr and piped.stdout.decode().startswith("imported (added 17")


def test_read_commands_use_the_database_with_db(db_url: str, tmp_path: Path) -> None:
    ecolabel(db_url, "db", "upgrade")
    doc = json.loads((STANDARDS / "criteria" / "de-uz-204" / "2016-08.json").read_text())
    doc["version"] = "2030"
    doc["criteria"][2]["requirement"]["value"]["value"] = 7.5  # SEER floor raised
    (tmp_path / "new.json").write_text(json.dumps(doc))
    assert ecolabel(db_url, "import", str(tmp_path / "new.json"))[0] == 0
    code, _, err = ecolabel(db_url, "show", "de-uz-204@2030")
    assert code == 1 and "has no version '2030'" in err  # the standards folder does not have it
    code, out, _ = ecolabel(db_url, "--db", "diff", "de-uz-204@2016-08", "de-uz-204@2030", "--format", "json")
    assert code == 0
    result = json.loads(out)
    assert result["mode"] == "revision" and result["summary"]["b_stricter"] == 1
    code, out, _ = ecolabel(db_url, "--db", "validate", str(tmp_path / "new.json"))
    assert code == 0  # validated against the stored documents, where it stands for itself
    code, _, err = ecolabel(db_url, "--db", "validate")
    assert code == 2 and "name the files" in err


def test_hosts_started_together_migrate_and_seed_once(db_url: str) -> None:
    # Four hosts run `ecolabel db upgrade` at the same moment on a fresh database: under the start-up lock
    # one migrates and seeds, the others wait and find nothing to do. Without the lock, one crashed with a
    # UniqueViolation and its host did not start.
    env = {**os.environ, "DATABASE_URL": db_url}
    code = "import sys; from registry.cli import main; sys.argv[0] = 'ecolabel'; main()"
    hosts = [
        subprocess.Popen(
            [sys.executable, "-c", code, "db", "upgrade"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(4)
    ]
    results = []
    for p in hosts:
        out, err = p.communicate(timeout=120)
        results.append((p.returncode, out.decode(), err.decode()))
    assert [rc for rc, _, _ in results] == [0, 0, 0, 0], [err for _, _, err in results]
    seeded = [out for _, out, _ in results if "imported (added 94" in out]
    assert len(seeded) == 1, [out for _, out, _ in results]
    assert sum("(was empty)" in out for _, out, _ in results) == 1
    code_, out, _ = ecolabel(db_url, "audit", "verify")
    assert code_ == 0 and "audit trail intact: 95 entries" in out


def test_api_tokens_and_password_resets_from_the_command_line(db_url: str) -> None:
    from registry.store import tokens, users

    assert ecolabel(db_url, "db", "upgrade", "--no-seed")[0] == 0
    assert ecolabel(db_url, "user", "add", "ops", "--role", "admin", "--password", "ops-password-1234")[0] == 0
    code, out, err = ecolabel(db_url, "user", "token", "create", "ops", "--name", "nightly", "--scope", "write")
    assert code == 0 and "not shown again" in err
    secret = out.strip()
    engine = make_engine(db_url)
    try:
        found = tokens.authenticate(engine, secret)
        assert found is not None and found[0].username == "ops" and found[1].scope == "write"
        code, out, _ = ecolabel(db_url, "user", "token", "list", "ops")
        number, who, name, start, scope, expires, _used, state = out.strip().split("\t")
        assert (who, name, scope, state) == ("ops", "nightly", "write", "active") and secret.startswith(start[:-1])
        assert secret not in out and expires != "never"
        assert ecolabel(db_url, "user", "token", "revoke", number)[0] == 0
        assert tokens.authenticate(engine, secret) is None
        assert ecolabel(db_url, "user", "token", "list")[1].strip().endswith("revoked")
        code, _, err = ecolabel(db_url, "user", "token", "create", "nobody", "--name", "x")
        assert code == 1 and "no user 'nobody'" in err
        code, out, _ = ecolabel(db_url, "user", "reset-password", "ops")
        temporary = out.strip()
        account = users.authenticate(engine, "ops", temporary, "test")
        assert account is not None and account.must_change_password
        assert users.authenticate(engine, "ops", "ops-password-1234", "test") is None
    finally:
        engine.dispose()


def test_import_reads_a_document_from_standard_input(db_url: str) -> None:
    assert ecolabel(db_url, "db", "upgrade")[0] == 0
    doc = json.loads((STANDARDS / "criteria" / "cn-de-room-air-conditioner" / "2017.json").read_text())
    doc["version"] = "2091"
    runner = CliRunner(env={"DATABASE_URL": db_url})
    done = runner.invoke(main, ["import", "-", "--format", "json"], input=json.dumps(doc))
    assert done.exit_code == 0 and json.loads(done.stdout)["added"] == ["cn-de-room-air-conditioner@2091"]
    doc["version"] = "2092"
    doc["criteria"][0]["parameter"] = "no-such-parameter"
    refused = runner.invoke(main, ["import", "-", "--format", "json"], input=json.dumps(doc))
    report = json.loads(refused.stdout)
    assert refused.exit_code == 1 and not report["committed"] and report["rejected"][0]["path"] == "-"
    twice = runner.invoke(main, ["import", "-", "-"], input="{}")
    assert twice.exit_code == 2 and "may be given once" in twice.stderr
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            versions = {r[0] for r in conn.exec_driver_sql("SELECT version FROM standard_version")}
    finally:
        engine.dispose()
    assert "2091" in versions and "2092" not in versions
