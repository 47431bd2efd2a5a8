"""The words for the registry's codes: what each verdict, outcome, relation, status and flag means.

One home for them: pages and the help page translate these English strings (``N_`` marks them for the
catalogue), the command line and CSV show them as they are. Each term has the words shown in place of the
code, one sentence of meaning and one example.
"""

from __future__ import annotations

from dataclasses import dataclass


def N_(text: str) -> str:
    """Mark a string for the translation catalogue (translated where it is shown); return it unchanged."""
    return text


@dataclass(frozen=True)
class Term:
    """One code, the words shown for it, what it means and an example."""

    code: str
    words: str
    meaning: str  # "" for a term whose words say it all (a topic)
    example: str


@dataclass(frozen=True)
class Group:
    """The codes of one kind (verdicts, outcomes, ...), with a heading for the help page."""

    key: str
    heading: str
    terms: tuple[Term, ...]

    def term(self, code: str) -> Term | None:
        """Return the term for a code, or None."""
        return next((t for t in self.terms if t.code == code), None)


GROUPS: tuple[Group, ...] = (
    Group(
        "verdict",
        N_("Verdicts of the qualification check"),
        (
            Term(
                "qualifies",
                N_("qualifies"),
                N_("Every mandatory criterion recorded is met, and the record of the standard is complete."),
                N_("A 3.5 kW split unit with SEER 7.2 against a limit of SEER ≥ 6.1."),
            ),
            Term(
                "fails",
                N_("does not qualify"),
                N_("At least one mandatory criterion is not met by a declared value."),
                N_("A refrigerant GWP of 675 where the standard requires GWP < 150."),
            ),
            Term(
                "incomplete",
                N_("not decided yet"),
                N_(
                    "Nothing recorded fails, but something is not known: a value not declared, a limit not "
                    "recorded, a document to show, or a partial record of the standard."
                ),
                N_("The standard asks for a noise test report: the registry cannot see it, so the answer waits."),
            ),
        ),
    ),
    Group(
        "outcome",
        N_("Outcomes of one criterion"),
        (
            Term(
                "pass",
                N_("met"),
                N_("The declared value meets the recorded limit."),
                N_("Declared 55 dB(A) against a limit of ≤ 60 dB(A)."),
            ),
            Term(
                "fail",
                N_("not met"),
                N_("The declared value does not meet the recorded limit."),
                N_("Declared R-410A where the standard allows only halogen-free refrigerants."),
            ),
            Term(
                "unknown",
                N_("not known"),
                N_(
                    "The answer cannot be worked out: the value is not declared, the limit is not recorded, or "
                    "the test methods differ with no recorded equivalence."
                ),
                N_("No standby power was declared, so its limit of ≤ 0.5 W cannot be checked."),
            ),
            Term(
                "declaration",
                N_("document to show"),
                N_("The criterion is met by a document or declaration that the certifier reads, not by a number."),
                N_("A take-back declaration for the packaging."),
            ),
            Term(
                "not_applicable",
                N_("does not apply"),
                N_("The criterion applies to other products than this one (its conditions exclude it)."),
                N_("A limit for units above 7 kW does not apply to a 3.5 kW unit."),
            ),
        ),
    ),
    Group(
        "relation",
        N_("Relations between two criteria"),
        (
            Term(
                "identical",
                N_("identical"),
                N_("The same requirement, written the same way."),
                N_("SEER ≥ 6.1 on both sides."),
            ),
            Term(
                "equivalent",
                N_("equivalent (same requirement in other words or units)"),
                N_("The same set of allowed values, written differently."),
                N_("Standby ≤ 0.5 W on one side and ≤ 500 mW on the other."),
            ),
            Term(
                "a_stricter",
                N_("A is stricter"),
                N_("Everything A allows, B allows too: a product meeting A meets B."),
                N_("A: SEER ≥ 7.0; B: SEER ≥ 6.1."),
            ),
            Term(
                "b_stricter",
                N_("B is stricter"),
                N_("Everything B allows, A allows too: a product meeting B meets A."),
                N_("A: GWP < 750; B: GWP < 150."),
            ),
            Term(
                "overlap",
                N_("the requirements overlap (neither contains the other)"),
                N_("Some products meet both, some only one of them."),
                N_("A: 50 to 60 dB(A); B: 55 to 65 dB(A)."),
            ),
            Term(
                "conflict",
                N_("the requirements conflict (no product can meet both)"),
                N_("No value meets both requirements."),
                N_("A: GWP ≥ 700 (a floor); B: GWP < 150."),
            ),
            Term(
                "not_comparable",
                N_("not comparable"),
                N_(
                    "The two cannot be compared: a value not known, test methods with no recorded equivalence, "
                    "or units of different kinds."
                ),
                N_("A limit measured by EN 14825 against one measured by GB 21455 with no equivalence recorded."),
            ),
            Term(
                "only_a",
                N_("only in A"),
                N_("A has a criterion on this parameter, B has none."),
                N_("A limits the refrigerant charge; B says nothing about it."),
            ),
            Term(
                "only_b",
                N_("only in B"),
                N_("B has a criterion on this parameter, A has none."),
                N_("B limits the standby power; A says nothing about it."),
            ),
        ),
    ),
    Group(
        "mode",
        N_("Kinds of comparison"),
        (
            Term(
                "revision",
                N_("two versions of one standard"),
                N_("Criteria are matched by their id; editorial changes (texts, dates, sources) are listed too."),
                N_("HJ 2535-2006 against HJ 2535-2013."),
            ),
            Term(
                "cross_label",
                N_("standards of different labels"),
                N_("Criteria are matched by parameter and by the products they apply to."),
                N_("Blue Angel DE-UZ 204 against China's HJ 2535-2013."),
            ),
        ),
    ),
    Group(
        "route",
        N_("Routes to a foreign label"),
        (
            Term(
                "agreement",
                N_("agreement between the labels"),
                N_("An agreement in force between the label held and the target label covers the category."),
                N_("An agreement in force between two labels that covers room air conditioners."),
            ),
            Term(
                "joint_standard",
                N_("joint (common) standard"),
                N_("Both labels adopted one common standard for the category."),
                N_("The China–Germany air-conditioner common standard of 2017."),
            ),
            Term(
                "held",
                N_("licence held"),
                N_("The product already holds this label's licence; only a contradiction would need attention."),
                N_("A licence of China Environmental Labelling for its own air-conditioner standard."),
            ),
            Term(
                "own",
                N_("apply directly"),
                N_("No recognition applies: the product is certified directly against the label's standard."),
                N_("Applying to Eco Mark for a Japanese licence with no agreement in force."),
            ),
        ),
    ),
    Group(
        "agreement_type",
        N_("Types of agreement"),
        (
            Term(
                "recognition_of_criteria",
                N_("recognition of criteria"),
                N_("Each side accepts that the other's criteria are at least as demanding."),
                N_("A product meeting one label's criteria needs only the other's extra criteria."),
            ),
            Term(
                "recognition_of_verification",
                N_("recognition of verification"),
                N_("Each side accepts the other's audits and test reports."),
                N_("A factory inspection for one label is not repeated for the other."),
            ),
            Term(
                "recognition_of_certified_products",
                N_("recognition of certified products"),
                N_("A product certified by one label may get the other with little or no extra proof."),
                N_("A licence holder of one label applies to the other with their certificate."),
            ),
            Term(
                "recognition_of_scheme",
                N_("recognition of the whole scheme"),
                N_("Each side accepts the other programme as a whole."),
                N_("Peer review under GEN's GENICES."),
            ),
            Term(
                "cooperation_mou",
                N_("cooperation memorandum"),
                N_("A memorandum of understanding to work together; it recognises nothing by itself."),
                N_("A signed MoU on exchanging criteria drafts."),
            ),
            Term(
                "information_exchange",
                N_("information exchange"),
                N_("The labels share information; nothing is recognised."),
                N_("Sharing revision plans and test data."),
            ),
            Term(
                "common_core_criteria",
                N_("common core criteria"),
                N_("The labels agree on a shared core of criteria for a category."),
                N_("The same energy and refrigerant criteria in both labels' air-conditioner standards."),
            ),
        ),
    ),
    Group(
        "agreement_status",
        N_("States of an agreement"),
        (
            Term("proposed", N_("proposed"), N_("Announced as an intention."), N_("A press release on plans.")),
            Term(
                "negotiating",
                N_("under negotiation"),
                N_("The parties are working on the text."),
                N_("Talks announced, no signature yet."),
            ),
            Term(
                "signed",
                N_("signed"),
                N_("Signed; it may not be in force yet."),
                N_("Signed at a ceremony, to start the next year."),
            ),
            Term(
                "in_force",
                N_("in force"),
                N_("Applies now: it can open a route to recognition."),
                N_("An agreement in force since 2017."),
            ),
            Term(
                "suspended",
                N_("suspended"),
                N_("Paused: it opens no route while suspended."),
                N_("Suspended during a revision of one label's scheme."),
            ),
            Term("expired", N_("expired"), N_("Its term ended."), N_("A five-year agreement not renewed.")),
            Term(
                "terminated",
                N_("terminated"),
                N_("Ended by a party before its term."),
                N_("Ended by notice of one label."),
            ),
        ),
    ),
    Group(
        "verification",
        N_("Verification flags"),
        (
            Term(
                "verified",
                N_("verified"),
                N_("Checked against the official text by someone other than the person who entered it."),
                N_("Checked against the official text, with its table number, by a second staff member."),
            ),
            Term(
                "secondary",
                N_("from a secondary source"),
                N_("Taken from a secondary source such as trade press, a mirror or an announcement."),
                N_("A limit quoted in a press release."),
            ),
            Term(
                "unverified",
                N_("not verified"),
                N_("Recalled or inferred, not checked against any text yet."),
                N_("A value typed from memory, waiting for review."),
            ),
        ),
    ),
    Group(
        "state",
        N_("States of a standard's version"),
        (
            Term("draft", N_("draft"), N_("Being written; only staff see it."), N_("A new version being entered.")),
            Term(
                "published",
                N_("published"),
                N_("Public and never changed again."),
                N_("HJ 2535-2013 as published by the registry."),
            ),
            Term(
                "superseded",
                N_("superseded"),
                N_("Replaced by a newer version of the same standard."),
                N_("HJ 2535-2006 after the 2013 revision."),
            ),
            Term(
                "withdrawn",
                N_("withdrawn"),
                N_("Taken out of use by the registry, with a reason."),
                N_("A version entered by mistake."),
            ),
        ),
    ),
    Group(
        "kind",
        N_("Kinds of standard"),
        (
            Term(
                "native",
                N_("a label's own standard"),
                N_("Published by one label programme for its own label."),
                N_("Blue Angel DE-UZ 204."),
            ),
            Term(
                "joint",
                N_("joint (common) standard"),
                N_("Written and adopted by two or more labels together."),
                N_("The China–Japan scanner common standard of 2017."),
            ),
        ),
    ),
    Group(
        "topic",
        N_("Topics of criteria"),
        (
            Term("energy", N_("energy"), "", ""),
            Term("refrigerant", N_("refrigerant"), "", ""),
            Term("noise", N_("noise"), "", ""),
            Term("hazardous-substances", N_("hazardous substances"), "", ""),
            Term("emissions", N_("emissions"), "", ""),
            Term("materials", N_("materials"), "", ""),
            Term("packaging", N_("packaging"), "", ""),
            Term("durability", N_("durability"), "", ""),
            Term("documentation", N_("documentation"), "", ""),
            Term("safety", N_("safety"), "", ""),
            Term("production", N_("production"), "", ""),
            Term("recycling", N_("recycling"), "", ""),
            Term("design", N_("design"), "", ""),
            Term("consumables", N_("consumables"), "", ""),
            Term("other", N_("other"), "", ""),
        ),
    ),
    Group(
        "change",
        N_("Editorial changes between versions"),
        (
            Term(
                "added",
                N_("added"),
                N_("The later version has it, the earlier one did not."),
                N_("A note added in 2013."),
            ),
            Term(
                "removed",
                N_("removed"),
                N_("The earlier version had it, the later one does not."),
                N_("A source no longer cited."),
            ),
            Term(
                "changed",
                N_("changed"),
                N_("Both versions have it, written differently."),
                N_("A new publication date."),
            ),
        ),
    ),
    Group(
        "gen",
        N_("Membership of the Global Ecolabelling Network (GEN)"),
        (
            Term("full", N_("full member"), N_("A member of GEN with every right of membership."), ""),
            Term("associate", N_("associate member"), N_("A programme linked to GEN without full membership."), ""),
            Term(
                "affiliate",
                N_("affiliate"),
                N_("An organisation affiliated to GEN, not an ecolabelling programme of it."),
                "",
            ),
            Term("former", N_("former member"), N_("A programme that was a member of GEN and is no longer."), ""),
            Term("none", N_("not a member"), N_("The programme is not a member of GEN."), ""),
            Term("unknown", N_("not known"), N_("No source reached says whether it is a member."), ""),
        ),
    ),
    Group(
        "genices",
        N_("GEN peer review (GENICES)"),
        (
            Term(
                "certified",
                N_("passed"),
                N_("The programme passed GEN's peer review of its standards and procedures."),
                "",
            ),
            Term("not_certified", N_("not passed"), N_("The programme has not passed GEN's peer review."), ""),
            Term("unknown", N_("not known"), N_("No source reached says whether it passed."), ""),
        ),
    ),
    Group(
        "date",
        N_("Dates of a standard"),
        (
            Term("published", N_("published"), N_("The day the label programme published the version."), ""),
            Term("valid_from", N_("valid from"), N_("The first day products are certified against it."), ""),
            Term("valid_until", N_("valid until"), N_("The last day it is in force, when the programme set one."), ""),
            Term("review_due", N_("review due"), N_("When the programme plans to revise it."), ""),
        ),
    ),
)

BY_KEY = {g.key: g for g in GROUPS}


def words(group: str, code: str) -> str:
    """Return the English words for a code (the code itself when the glossary has no term for it)."""
    term = BY_KEY[group].term(code)
    return term.words if term is not None else code


def words_of(group: str) -> dict[str, str]:
    """Return code -> English words for one group."""
    return {t.code: t.words for t in BY_KEY[group].terms}
