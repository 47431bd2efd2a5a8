"""Search: labels, standards, criteria, agreements and licences, through an SQLite FTS5 index (trigram tokenizer,
so Chinese and German words are found inside longer text) kept in memory per process.

The index is derived from what a source lists (no draft is ever put in it) and brought up to date with the
source: only entries whose content changed are replaced. A query is read as words; each word also matches
the entries of a label or category it is an everyday name or abbreviation of ("aliases" in their documents),
its compact form (no spaces, dashes, dots: "HJ2535" finds "HJ 2535-2013") and, for words of five letters or
more, words of the registry one edit away ("Blue Angle" finds "Blue Angel"). Every word must match.
"""

from __future__ import annotations

import heapq
import itertools
import re
import sqlite3
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from registry.model import pick
from registry.source import criteria_of

KINDS = ("label", "standard", "criterion", "agreement", "licence")
SHOWN = 50  # results listed per kind (the counts say how many there are)
_WORD = re.compile(r"\w{5,}", re.UNICODE)
_COMPACT = re.compile(r"[\s\-_./·,:;()\[\]]+")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")


def fold(text: str) -> str:
    """Return text as the index compares it: NFKC, case-folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def compact(text: str) -> str:
    """Return folded text without spaces, dashes, dots and brackets ("HJ 2535-2013" -> "hj25352013")."""
    return _COMPACT.sub("", fold(text))


@dataclass(frozen=True)
class Hit:
    """One result: what it is, where it leads, its title and the matched text to show."""

    kind: str
    id: str
    title: str
    version: str | None = None
    criterion: str | None = None

    def as_json(self) -> dict[str, str]:
        """Return the hit as the API's and the page's object (no empty fields)."""
        found = {"kind": self.kind, "id": self.id, "title": self.title}
        if self.version:
            found["version"] = self.version
        if self.criterion:
            found["criterion"] = self.criterion
        return found


@dataclass(frozen=True)
class Results:
    """The hits of one query, grouped by kind, with the number found per kind (more than are listed)."""

    query: str
    words: tuple[str, ...]  # what was looked for, each word with what it was read as
    counts: Mapping[str, int]
    hits: Mapping[str, tuple[Hit, ...]]

    @property
    def total(self) -> int:
        """Return the number of hits of every kind."""
        return sum(self.counts.values())

    def flat(self) -> list[Hit]:
        """Return the listed hits, kind after kind."""
        return [h for kind in KINDS for h in self.hits.get(kind, ())]


def _edits1_keys(word: str) -> set[str]:
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def _one_edit(a: str, b: str) -> bool:
    """Return whether two words are at most one edit apart (insert, delete, replace or swap two neighbours)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    short, long_ = (a, b) if la < lb else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


Row = tuple[str, str, str, str]  # kind, ref, title, body


class Index:
    """The search index of one source: ``sync`` brings it up to date, ``search`` answers a query.

    Criteria are indexed once per distinct text (id, parameter, titles): versions of one standard, and
    standards written from one template, repeat most of them, so the index stays small at 10,000 standards;
    each text keeps the list of the versions that have it."""

    def __init__(self) -> None:
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(
            "CREATE VIRTUAL TABLE entry USING fts5(kind UNINDEXED, ref UNINDEXED, title, body, packed,"
            " tokenize='trigram')"
        )
        self._lock = threading.RLock()
        self._rows: dict[str, tuple[int, str]] = {}  # key -> (rowid, fingerprint)
        self._meta: dict[int, tuple[str, str, str]] = {}  # rowid -> (kind, ref, title): no column read per hit
        self._versions: dict[str, tuple[str, tuple[str, ...]]] = {}  # ref -> (fingerprint, criterion text keys)
        self._postings: dict[str, dict[str, tuple[str, str]]] = {}  # criterion text key -> ref -> (ident, title)
        self._aliases: dict[str, set[str]] = {}  # folded alias -> entity tokens ("label=cn-cel", ...)
        self._words: Counter[str] = Counter()  # folded words of five letters or more, for one-edit matches
        self._deletes: dict[str, set[str]] = {}
        self.seen: object = None  # what the source was when last synced (its audit head)

    # --- keeping the index up to date

    def sync(self, source: Any, seen: object = None) -> int:
        """Bring the index to what the source lists now (no drafts); return the number of rows written.
        ``seen`` (the source's audit head) lets a caller skip the comparison when nothing moved."""
        with self._lock:
            if seen is not None and seen == self.seen:
                return 0
            written = self._sync(source)
            self.seen = seen
            return written

    def _sync(self, source: Any) -> int:
        catalog = source.catalog
        words, aliases = _entity_words(catalog)
        rows: dict[str, tuple[str, Row]] = {}
        for lab in catalog.labels.values():
            body = " ".join([words[f"label={lab.id}"], *lab.countries])
            rows[f"label:{lab.id}"] = (body, ("label", lab.id, pick(lab.names), body))
        for agr in catalog.agreements.values():
            body = " ".join([agr.id, *agr.title.values(), *(words.get(f"label={p}", p) for p in agr.parties)])
            rows[f"agreement:{agr.id}"] = (body, ("agreement", agr.id, pick(agr.title), body))
        for lic in catalog.licences.values():
            raw = lic.raw
            models = [str(p.get("model", "")) for p in raw.get("products", ())]
            holder = str(raw.get("holder") or lic.id)
            label = words.get(f"label={raw.get('label')}", "")
            body = " ".join([lic.id, holder, str(raw.get("number") or ""), label, *models])
            rows[f"licence:{lic.id}"] = (body, ("licence", lic.id, holder, body))
        listed: dict[str, tuple[str, Any]] = {}
        for v in source.versions():
            if v.state == "draft":
                continue  # never searchable: drafts are the admin pages'
            ref = f"{v.doc_id}@{v.version}"
            names = " ".join(words.get(f"label={x}", x) for x in v.labels)
            category = words.get(f"category={v.category}", v.category)
            body = " ".join([v.doc_id, v.version, v.designation or "", *v.title.values(), category, names])
            listed[ref] = (f"{v.sha}:{v.state}:{body}", v)
            rows[f"standard:{ref}"] = (listed[ref][0], ("standard", ref, v.designation or pick(v.title), body))
        written = 0
        with self._db:
            # Criteria: postings per distinct text, changed only for versions that changed.
            for ref in [r for r in self._versions if r not in listed or listed[r][0] != self._versions[r][0]]:
                _, gone = self._versions.pop(ref)
                for key in gone:
                    self._postings.get(key, {}).pop(ref, None)
            new = [(ref, fingerprint, v) for ref, (fingerprint, v) in listed.items() if ref not in self._versions]
            texts = source.criteria_texts([v for _, _, v in new]) if new else {}
            for ref, fingerprint, v in new:
                keys: list[str] = []
                for ident, parameter, titles in criteria_of(texts[v.sha]):
                    key = "\t".join([ident, parameter, *(f"{k}={t}" for k, t in sorted(titles.items()))])
                    self._postings.setdefault(key, {})[ref] = (ident, pick(titles) or ident)
                    keys.append(key)
                self._versions[ref] = (fingerprint, tuple(keys))
            for key in [k for k, refs in self._postings.items() if not refs]:
                del self._postings[key]
            for key in self._postings:
                ident, parameter, *parts = key.split("\t")
                text = " ".join([ident, parameter, *(t.split("=", 1)[1] for t in parts)])
                rows[f"criterion:{key}"] = (key, ("criterion", key, ident, text))
            # Rows: replace what changed, add what is new, drop what is gone.
            for key in [k for k in self._rows if k not in rows or rows[k][0] != self._rows[k][1]]:
                rowid, _ = self._rows.pop(key)
                row = self._db.execute("SELECT title, body FROM entry WHERE rowid = ?", (rowid,)).fetchone()
                if row is not None:
                    self._forget(" ".join(row))
                self._db.execute("DELETE FROM entry WHERE rowid = ?", (rowid,))
                self._meta.pop(rowid, None)
            for key, (fingerprint, (kind, ref, title, body)) in rows.items():
                if key in self._rows:
                    continue
                cursor = self._db.execute(
                    "INSERT INTO entry (kind, ref, title, body, packed) VALUES (?, ?, ?, ?, ?)",
                    (kind, ref, title, fold(f"{title} {body}"), compact(f"{title} {body}")),
                )
                self._rows[key] = (int(cursor.lastrowid or 0), fingerprint)
                self._meta[int(cursor.lastrowid or 0)] = (kind, ref, title)
                self._learn(f"{title} {body}")
                written += 1
        self._aliases = aliases
        return written

    def _learn(self, text: str) -> None:
        for word in _WORD.findall(fold(text)):
            if not word.isdigit() and not CJK.search(word):
                self._words[word] += 1
                if self._words[word] == 1:
                    for k in _edits1_keys(word):
                        self._deletes.setdefault(k, set()).add(word)

    def _forget(self, text: str) -> None:
        for word in _WORD.findall(fold(text)):
            if self._words.get(word, 0) > 1:
                self._words[word] -= 1
            elif word in self._words:
                del self._words[word]
                for k in _edits1_keys(word):
                    self._deletes.get(k, set()).discard(word)

    # --- queries

    def _near(self, word: str) -> set[str]:
        """Return the registry's words one edit from a word of five letters or more (none for shorter ones)."""
        if len(word) < 5 or CJK.search(word) or word.isdigit():
            return set()
        found = set()
        for k in _edits1_keys(word):
            for candidate in self._deletes.get(k, ()):
                if candidate != word and _one_edit(word, candidate):
                    found.add(candidate)
        return found

    def read(self, query: str) -> list[list[str]]:
        """Return, per word of the query, the texts any of which it matches (the word, an entity it names,
        its compact form, words one edit away); a whole query that is one name of an entity is one word."""
        whole = fold(query).strip()
        words = whole.split()
        named = self._aliases.get(whole) or self._aliases.get(compact(whole))
        if named and len(words) > 1:  # "blue angel", "room air conditioner": one name of several words
            return [sorted(named | {whole})]
        read: list[list[str]] = []
        for word in words:
            alternatives = {word} | self._aliases.get(word, set()) | self._aliases.get(compact(word), set())
            packed = compact(word)
            if packed and packed != word:
                alternatives.add(packed)
            if word not in self._words:
                alternatives |= self._near(word)
            read.append(sorted(alternatives))
        return read

    def search(self, query: str, shown: int = SHOWN) -> Results:
        """Return the entries matching every word of the query, grouped by kind (``shown`` listed per kind)."""
        with self._lock:
            read = self.read(query)
            if not read:
                return Results(query, (), {}, {})
            condition, params = _condition(read)
            whole = compact(query)
            if len(read) > 1 and len(whole) >= 3:  # "HJ 2535" also as one run of letters and digits
                condition = f"(({condition}) OR rowid IN (SELECT rowid FROM entry WHERE entry MATCH ?))"
                params = [*params, "packed : " + _phrase(whole)]
            found = [
                self._meta[rowid] for (rowid,) in self._db.execute(f"SELECT rowid FROM entry WHERE {condition}", params)
            ]
        by_kind: dict[str, list[tuple[str, str]]] = {}
        for kind, ref, title in found:
            by_kind.setdefault(kind, []).append((ref, title))
        counts: Counter[str] = Counter()
        hits: dict[str, list[Hit]] = {}
        for kind, rows in by_kind.items():
            if kind == "criterion":
                continue
            counts[kind] = len(rows)
            for ref, title in heapq.nsmallest(shown, rows):
                doc_id, _, version = ref.partition("@")
                hits.setdefault(kind, []).append(Hit(kind, doc_id, title, version or None))
        listed: list[Hit] = []
        for key, _title in sorted(by_kind.get("criterion", ())):
            postings = self._postings.get(key, {})
            counts["criterion"] += len(postings)
            for version_ref, (ident, title) in itertools.islice(postings.items(), max(0, shown - len(listed))):
                doc_id, _, version = version_ref.partition("@")
                listed.append(Hit("criterion", doc_id, title, version, ident))
        if listed:
            hits["criterion"] = listed
        return Results(query, tuple(" | ".join(a) for a in read), dict(counts), {k: tuple(v) for k, v in hits.items()})


def _condition(read: Sequence[Sequence[str]]) -> tuple[str, list[str]]:
    """Return the WHERE clause for words that must all match, each through any of its alternatives: texts of
    three characters or more through the trigram index (one MATCH for all such words), shorter ones scanned."""
    matched, parts, params = [], [], []
    for alternatives in read:
        long_ = [a for a in alternatives if len(a) >= 3]
        short = [a for a in alternatives if len(a) < 3]
        likes = ["(body LIKE ? ESCAPE '\\' OR title LIKE ? ESCAPE '\\')"] * len(short)
        like_params = [p for a in short for p in (f"%{_like(a)}%", f"%{_like(a)}%")]
        if long_ and not short:
            matched.append("(" + " OR ".join(_phrase(a) for a in long_) + ")")
        elif long_:
            parts.append("(rowid IN (SELECT rowid FROM entry WHERE entry MATCH ?) OR " + " OR ".join(likes) + ")")
            params += [" OR ".join(_phrase(a) for a in long_), *like_params]
        else:
            parts.append("(" + " OR ".join(likes) + ")")
            params += like_params
    if matched:
        parts.insert(0, "entry MATCH ?")
        params.insert(0, " AND ".join(matched))
    return " AND ".join(parts), params


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _entity_words(catalog: Any) -> tuple[dict[str, str], dict[str, set[str]]]:
    """Return, per label and category token ("label=cn-cel"), the words an entry about it is found by (the
    token, the id, its names and aliases), and the aliases: folded name -> the tokens it stands for."""
    words: dict[str, str] = {}
    aliases: dict[str, set[str]] = {}

    def name(token: str, ident: str, names: Iterable[str]) -> None:
        names = [n for n in names if n]
        words[token] = " ".join([token, ident, *names])
        for n in names:
            for form in {fold(n), compact(n)}:
                if form:
                    aliases.setdefault(form, set()).add(token)

    for lab in catalog.labels.values():
        name(f"label={lab.id}", lab.id, [*lab.names.values(), lab.short_name or "", *(lab.raw.get("aliases") or ())])
    for cat in catalog.vocabulary.categories.values():
        name(f"category={cat.id}", cat.id, [*cat.name.values(), *cat.aliases])
    return words, aliases
