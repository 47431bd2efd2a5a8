"""Safe loading of hostile JSON."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from registry import jsonfile


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"x": "y" * 5000}))
    loaded = jsonfile.load_path(path, max_bytes=1024)
    assert [e.message for e in loaded.errors] == [f"file is {path.stat().st_size} bytes; the limit is 1024 bytes"]


def test_missing_file_is_a_finding(tmp_path: Path) -> None:
    loaded = jsonfile.load_path(tmp_path / "absent.json")
    assert loaded.errors[0].message.startswith("cannot read file")


def test_byte_order_mark_is_accepted() -> None:
    assert jsonfile.loads('\ufeff{"a": 1}'.encode()).data == {"a": 1}


def test_nested_duplicate_key_is_located() -> None:
    loaded = jsonfile.loads(b'{"a": [{"b": 1, "b": 2}]}')
    assert [(e.pointer, e.message) for e in loaded.errors] == [("/a/0/b", "duplicate key 'b' in one object")]


def test_pointer_escapes_slash_and_tilde() -> None:
    loaded = jsonfile.loads(b'{"a/b": {"c~d": NaN}}')
    assert loaded.errors[0].pointer == "/a~1b/c~0d"


def test_huge_integer_is_refused() -> None:
    loaded = jsonfile.loads(b'{"n": ' + b"9" * 5000 + b"}")
    assert loaded.errors[0].pointer == "/n"


def test_depth_at_limit_is_fine_and_beyond_is_not() -> None:
    assert jsonfile.loads(b'{"a": ' + b"[" * 62 + b"]" * 62 + b"}").ok
    assert not jsonfile.loads(b'{"a": ' + b"[" * 64 + b"]" * 64 + b"}").ok


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    loaded = jsonfile.loads(raw)
    assert loaded.ok == (loaded.data is not None)
    assert loaded.ok or loaded.errors


json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False, allow_infinity=False) | st.integers() | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=8), json_values, max_size=6))
def test_any_shallow_json_object_loads_unchanged(obj: dict[str, object]) -> None:
    loaded = jsonfile.loads(json.dumps(obj).encode())
    assert loaded.ok
    assert loaded.data == obj


def test_utf16_and_utf32_are_named_as_such() -> None:
    text = '{"a": 1}'
    for encoding, name in (
        ("utf-16", "UTF-16"),
        ("utf-16-le", "UTF-16"),
        ("utf-32", "UTF-32"),
        ("utf-32-be", "UTF-32"),
    ):
        loaded = jsonfile.loads(text.encode(encoding))
        assert loaded.errors[0].message == f"file is {name} text; save it as UTF-8 (JSON is UTF-8)", encoding


def test_an_array_may_be_asked_for_and_every_number_stays_finite() -> None:
    assert jsonfile.loads(b"[1, 2]", top=list).data == [1, 2]
    assert "expected an array" in jsonfile.loads(b"{}", top=list, what="criteria field").errors[0].message
    for bad in (b"[NaN]", b"[1e999]", b"[" + b"9" * 5000 + b"]", b"[" * 5000 + b"]" * 5000):
        assert not jsonfile.loads(bad, top=list).ok, bad[:20]


def test_too_many_values_are_refused_before_any_later_work() -> None:
    raw = json.dumps({"evidence": [{"id": "x"}] * 3000}).encode()
    loaded = jsonfile.loads(raw, max_nodes=5000)
    assert [e.message for e in loaded.errors] == [
        "more than 5000 values (objects, arrays, strings, numbers); this is too large"
    ]
    assert jsonfile.loads(raw).ok
