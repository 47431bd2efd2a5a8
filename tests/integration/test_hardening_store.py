"""The store under pressure, on SQLite and PostgreSQL: sign-in back-off and its race, imports that validate
outside the write lock, product declarations refused by import, private files, the signing key's race."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import stat
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine
from sqlmodel import Session, select

from registry.cli import main
from registry.errors import ConfigurationError
from registry.store import backup, transfer, users
from registry.store.engine import make_engine
from registry.store.models import LoginFailure
from registry.validation import Result, Validator
from tests.conftest import ROOT, STANDARDS
from web.secret import signing_key

PASSWORD = "the-right-password-1"


def _failures(engine: Engine, key: str) -> list[dt.datetime]:
    with Session(engine) as session:
        return list(session.exec(select(LoginFailure.at).where(LoginFailure.key == key)).all())


def test_failed_sign_ins_slow_an_account_down_but_never_lock_it_out(engine: Engine) -> None:
    users.add_user(engine, "dana", PASSWORD, "staff")
    for _ in range(users.FREE_TRIES):
        assert users.authenticate(engine, "dana", "wrong-password-x", "198.51.100.1") is None
    with pytest.raises(users.RateLimited) as caught:
        users.authenticate(engine, "dana", PASSWORD, "198.51.100.2")  # even the right password waits a moment
    assert 1 <= caught.value.retry_after <= users.MAX_DELAY.total_seconds()
    # Once the back-off has passed (the failures are dated back here), the right password is accepted.
    with Session(engine) as session, session.begin():
        for row in session.exec(select(LoginFailure)):
            row.at = row.at - dt.timedelta(seconds=2)
            session.add(row)
    assert users.authenticate(engine, "dana", PASSWORD, "198.51.100.2") is not None
    assert _failures(engine, "user:dana") == []  # a success clears the account's count
    assert users.backoff(10_000) == users.MAX_DELAY == dt.timedelta(seconds=30)


def test_an_address_with_many_failures_is_limited_across_accounts(engine: Engine) -> None:
    for i in range(users.MAX_PER_CLIENT):
        assert users.authenticate(engine, f"nobody-{i}", "wrong-password-x", "203.0.113.9") is None
    with pytest.raises(users.RateLimited, match="from your address"):
        users.authenticate(engine, "someone-else", "wrong-password-x", "203.0.113.9")


def test_parallel_wrong_passwords_on_postgresql_are_evaluated_five_times_exactly(pg_url: str) -> None:
    from registry.store import migrate

    engine = make_engine(pg_url, pool_size=20, max_overflow=30)
    migrate.upgrade(engine)
    users.add_user(engine, "erin", PASSWORD, "staff")
    start = threading.Barrier(40)
    outcomes: list[str] = []

    def attempt(i: int) -> None:
        start.wait()
        try:
            users.authenticate(engine, "erin", f"wrong-password-{i}", f"192.0.2.{i}")
            outcomes.append("evaluated")
        except users.RateLimited:
            outcomes.append("refused")

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes).count("evaluated") == users.FREE_TRIES == 5
    assert len(_failures(engine, "user:erin")) == 5
    engine.dispose()


class _SlowValidator(Validator):
    """A validator that holds the import in its validation until told to go on."""

    def __init__(self, base: Validator) -> None:
        super().__init__(base.schemas)
        self.started, self.go_on = threading.Event(), threading.Event()

    def validate_paths(self, targets: Sequence[Path], context: Sequence[Path] = (), **kwargs: Any) -> Result:
        self.started.set()
        assert self.go_on.wait(30)
        return super().validate_paths(targets, context, **kwargs)


def test_an_import_validates_without_holding_the_write_lock(engine: Engine, validator: Validator) -> None:
    users.add_user(engine, "fay", PASSWORD, "admin")
    slow = _SlowValidator(validator)
    done: list[transfer.ImportReport] = []
    worker = threading.Thread(
        target=lambda: done.append(transfer.import_paths(engine, slow, [STANDARDS], actor="test"))
    )
    worker.start()
    assert slow.started.wait(30)
    # While the import validates, writes go through: a sign-in (a failure row) and a user change.
    assert users.authenticate(engine, "fay", "wrong-password-x", "192.0.2.1") is None
    users.add_user(engine, "gus", PASSWORD, "staff")
    slow.go_on.set()
    worker.join(60)
    report = done[0]
    assert report.ok and len(report.added) > 50  # validated again after the writes in between, then stored
    with Session(engine) as session:
        assert len(transfer.entries(session)) == len(report.added)


def test_importing_a_product_declaration_is_refused_in_one_line(tmp_path: Path, db_url: str) -> None:
    product = ROOT / "examples" / "products" / "scanner.json"
    runner = CliRunner(env={"DATABASE_URL": db_url})
    assert runner.invoke(main, ["db", "upgrade", "--no-seed"]).exit_code == 0
    result = runner.invoke(main, ["import", str(product)])
    assert (result.exit_code == 1 and result.exception is None) or isinstance(result.exception, SystemExit)
    assert "a product declaration is not stored; check it with 'ecolabel check'" in result.stderr
    assert "Traceback" not in result.output


def test_database_backup_and_key_files_are_private(tmp_path: Path, validator: Validator) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'instance' / 'registry.sqlite3'}")
    from registry.store import migrate

    migrate.upgrade(engine)
    users.add_user(engine, "hal", PASSWORD, "admin")
    backup.backup(engine, tmp_path / "copy.sqlite3")
    signing_key(tmp_path / "instance", None)
    engine.dispose()
    for name in ("instance/registry.sqlite3", "copy.sqlite3", "instance/secret_key"):
        mode = stat.S_IMODE((tmp_path / name).stat().st_mode)
        assert mode == 0o600, (name, oct(mode))
    assert stat.S_IMODE((tmp_path / "instance").stat().st_mode) == 0o700


def _key(folder: str) -> str:
    return signing_key(Path(folder), None)


def test_two_hundred_simultaneous_starts_read_one_whole_key(tmp_path: Path) -> None:
    with multiprocessing.get_context("fork").Pool(50) as pool:
        keys = pool.map(_key, [str(tmp_path)] * 200)
    assert len(set(keys)) == 1 and len(keys[0]) == 64
    assert sorted(p.name for p in tmp_path.iterdir()) == [".secret_key.lock", "secret_key"]


def test_a_broken_key_file_is_replaced_and_a_short_configured_key_refused(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("")
    key = signing_key(tmp_path, None)
    assert len(key) == 64 and (tmp_path / "secret_key").read_text() == key
    with pytest.raises(ConfigurationError, match="must be at least 32"):
        signing_key(tmp_path, "short")


def test_json_of_every_export_is_untouched_by_private_modes(tmp_path: Path, engine: Engine) -> None:
    # Exports are public documents: ordinary files, readable by others.
    transfer.export(engine, tmp_path / "out")
    manifest = tmp_path / "out" / "manifest.json"
    assert json.loads(manifest.read_text())["format"] == 1
    assert stat.S_IMODE(manifest.stat().st_mode) & 0o044
