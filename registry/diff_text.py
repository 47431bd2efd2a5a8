"""A comparison as text for certification staff: by topic, values side by side, relations in words."""

from __future__ import annotations

import textwrap

from registry.diff import Diff, Pair
from registry.model import Standard, pick
from registry.render import RELATIONS, constraint
from registry.vocabulary import Vocabulary

WORDS = RELATIONS
_COLUMN = 34


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _header(side: str, std: Standard, language: str) -> str:
    flags = [std.kind, "complete record" if std.complete else "partial record", f"provenance {std.verification}"]
    title = pick(std.title, language)
    return f"{side}: {std.id}@{std.version}  {std.designation or ''}  {title}  ({'; '.join(flags)})".replace("   ", " ")


def _cell(pair: Pair, side: str) -> str:
    crit = pair.a if side == "a" else pair.b
    if crit is None:
        return "—"
    flag = {"unverified": " [unverified]", "secondary": " [secondary]"}.get(crit.verification, "")
    return _cut(constraint(crit.requirement), _COLUMN - len(flag)) + flag


def text(diff: Diff, vocabulary: Vocabulary, language: str = "en") -> str:
    """Return the comparison as text."""
    mode = (
        "revision: criteria aligned by id"
        if diff.mode == "revision"
        else "cross-label: criteria aligned by parameter and conditions"
    )
    lines = [_header("A", diff.a, language), _header("B", diff.b, language), f"mode: {mode}", ""]
    topics: dict[str, list[Pair]] = {}
    for pair in diff.pairs:
        topics.setdefault(pair.topic, []).append(pair)
    for topic in sorted(topics):
        lines.append(f"{topic}")
        lines.append(f"  {'parameter':<{_COLUMN}}  {'A':<{_COLUMN}}  {'B':<{_COLUMN}}  relation")
        for pair in topics[topic]:
            param = vocabulary.parameter(diff.a.category, pair.parameter) or vocabulary.parameter(
                diff.b.category, pair.parameter
            )
            name = pick(param.name, language) if param else pair.parameter
            lines.append(
                f"  {_cut(name, _COLUMN):<{_COLUMN}}  {_cell(pair, 'a'):<{_COLUMN}}  {_cell(pair, 'b'):<{_COLUMN}}"
                f"  {WORDS[pair.relation]}"
            )
            ids = " / ".join(c.id if c else "—" for c in (pair.a, pair.b))
            lines += textwrap.wrap(
                f"{ids}: {pair.verdict.detail}", 110, initial_indent="      ", subsequent_indent="      "
            )
        lines.append("")
    lines += _summary(diff)
    return "\n".join(lines).rstrip()


def _share(value: float | None) -> str:
    return "unknown (no mandatory criteria recorded)" if value is None else f"{value:.0%}"


def _summary(diff: Diff) -> list[str]:
    counts = diff.counts()
    lines = ["summary: " + ", ".join(f"{n} {WORDS[r]}" for r, n in counts.items() if n) or "summary: no criteria"]
    lines.append(f"a holder of A surely meets {_share(diff.coverage('a'))} of B's mandatory criteria")
    lines.append(f"a holder of B surely meets {_share(diff.coverage('b'))} of A's mandatory criteria")
    for holder, other in (("a", "B"), ("b", "A")):
        proofs = diff.extra_proof(holder)
        lines.append(f"extra proof for a holder of {holder.upper()} applying for {other}: {len(proofs)}")
        for proof in proofs:
            lines += textwrap.wrap(
                f"- {proof.criterion}: {proof.reason}", 110, initial_indent="  ", subsequent_indent="    "
            )
    if diff.mode == "revision":
        lines.append(f"editorial changes: {len(diff.editorial)}")
        for edit in diff.editorial:
            shown = edit.b if edit.change != "removed" else edit.a
            lines.append(_cut(f"  {edit.change:<8} {edit.path}: {shown}", 140))
    for note in diff.notes:
        lines += textwrap.wrap(f"note: {note}", 110, subsequent_indent="      ")
    return lines
