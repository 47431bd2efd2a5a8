"""Against gunicorn with 2 workers, as ./run serves: hostile units never make the site unreachable."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from registry.validation import Validator
from tests.conftest import ROOT
from tests.serving import seeded_sqlite, serve

PRODUCT = json.loads((ROOT / "examples" / "products" / "split-ac-r290-3.5kw.json").read_text())


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, validator: Validator) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("hostile")
    with serve(folder, seeded_sqlite(folder, validator), workers=2) as base:
        yield base


def _post(url: str, body: bytes) -> tuple[int, dict[str, object], float]:
    started = time.perf_counter()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, payload = response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        with exc:
            status, payload = exc.code, json.loads(exc.read())
    return status, payload, time.perf_counter() - started


def _send(site: str, body: bytes, answers: list[tuple[int, dict[str, object], float]]) -> None:
    answers.append(_post(site + "/api/v1/check", body))


def test_healthz_answers_while_hostile_units_are_in_flight(site: str) -> None:
    hostile = json.loads(json.dumps(PRODUCT))
    hostile["values"]["cooling.capacity.rated"]["unit"] = "9**9**9 kW"
    body = json.dumps(hostile).encode()
    for _round in range(5):
        answers: list[tuple[int, dict[str, object], float]] = []
        senders = [threading.Thread(target=_send, args=(site, body, answers)) for _ in "ab"]
        for s in senders:
            s.start()
        started = time.perf_counter()
        with urllib.request.urlopen(site + "/healthz", timeout=5) as response:
            assert response.status == 200
        assert time.perf_counter() - started < 1.0
        for s in senders:
            s.join(30)
        assert [a[0] for a in answers] == [400, 400]
        assert all(a[1]["error"]["pointer"] == "/values/cooling.capacity.rated/unit" for a in answers)  # type: ignore[index]
        assert max(a[2] for a in answers) < 1.0


def test_a_next_with_a_tab_stays_on_the_site(site: str, tmp_path: Path) -> None:
    request = urllib.request.Request(site + "/lang/en?next=/%09/evil.example")

    class NoFollow(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoFollow)
    with pytest.raises(urllib.error.HTTPError) as caught:
        opener.open(request, timeout=5)
    with caught.value as answer:
        assert answer.code == 302 and answer.headers["Location"] == "/"


def test_a_long_chinese_search_gets_the_registrys_answer_not_a_bare_414(site: str) -> None:
    query = urllib.parse.quote("空调" * 300)  # 600 characters, 5,400 bytes in the URL
    with urllib.request.urlopen(f"{site}/search?q={query}", timeout=30) as answer:
        page = answer.read().decode("utf-8")
        assert answer.status == 200
    assert "Your search was cut to its first 200 characters." in page
    with pytest.raises(urllib.error.HTTPError) as caught:  # near gunicorn's ceiling: the registry's own 414 page
        urllib.request.urlopen(f"{site}/search?q={'x' * 8050}", timeout=30)
    with caught.value as refused:
        assert refused.code == 414 and "Address too long" in refused.read().decode("utf-8")
    with pytest.raises(urllib.error.HTTPError) as caught:  # beyond gunicorn's ceiling, 414 stays
        urllib.request.urlopen(f"{site}/search?q={'x' * 9000}", timeout=30)
    with caught.value as refused:
        assert refused.code == 414
