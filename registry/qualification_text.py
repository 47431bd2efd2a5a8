"""The qualification report in words, for the terminal."""

from __future__ import annotations

from registry.model import pick
from registry.qualification import OUTCOMES, Report, Result


def _head(result: Result) -> str:
    s = result.standard
    name = s.designation or pick(s.title)
    counts = " · ".join(f"{o.replace('_', ' ')} {n}" for o, n in result.counts().items() if n)
    return f"{name} — {s.id}@{s.version} [{', '.join(s.labels)}]: {result.verdict.upper()}  ({counts or 'no criteria'})"


def _result(result: Result) -> list[str]:
    lines = [_head(result)]
    if result.held:
        lines.append(f"  licence held: {', '.join(result.held)}")
    order = {o: i for i, o in enumerate(OUTCOMES)}
    width = max((len(o.criterion.id) for o in result.criteria), default=0)
    for o in sorted(result.criteria, key=lambda o: (order[o.outcome], o.criterion.id)):
        optional = "" if o.criterion.mandatory else " (optional)"
        flag = f" [{o.criterion.verification}]"
        lines.append(f"  {o.outcome:<14} {o.criterion.id:<{width}}  {o.detail}{optional}{flag}")
    for p in result.pathways:
        held = f", held under {p.held_standard.id}@{p.held_standard.version}" if p.held_standard else ""
        lines.append(f"  pathway from {p.from_label} (licence {p.licence_id}{held})")
        for route in p.via:
            version = f"@{route.version}" if route.version else ""
            lines.append(f"    via {route.kind.replace('_', ' ')} {route.id}{version}: {route.detail}")
        lines.append(f"    covered by recognition: {', '.join(p.covered) or 'none'}")
        lines.append(f"    extra proof ({len(p.extra_proof)}):")
        lines += [f"      {proof.criterion}: {proof.reason}" for proof in p.extra_proof]
        if p.note:
            lines.append(f"    note: {p.note}")
    lines += [f"  note: {n}" for n in result.notes]
    return lines


def text(report: Report) -> str:
    """Return the report as lines for the terminal."""
    p = report.product
    lines = [
        f"{p['manufacturer']} — {p['model']} ({p['category']}), checked on {report.on.isoformat()}",
    ]
    for held in p.get("labels_held", ()):
        std = held.get("standard")
        under = f", {std['id']}@{std.get('version', 'latest')}" if std else ""
        lines.append(f"label held: {held['label']} (licence {held['licence_id']}{under})")
    verdicts = ", ".join(f"{r.standard.id}@{r.standard.version}: {r.verdict}" for r in report.results)
    lines.append(f"{len(report.results)} standard(s) in force: {verdicts or 'none'}")
    for result in report.results:
        lines += ["", *_result(result)]
    if report.out_of_scope:
        lines.append("")
        lines += [f"out of scope: {s.id}@{s.version}: {why}" for s, why in report.out_of_scope]
    if report.notes:
        lines.append("")
        lines += [f"note: {n}" for n in report.notes]
    return "\n".join(lines)
