"""Where each default comes from: a file shipped in the package (with its rows or section), or a web address.

A scenario that leaves a setting out runs with a default, built into a stage
kind (``partnersim/kinds/``), into a process (``partnersim/process/builtin/``)
or into the schema. :mod:`partnersim.scenario.inforce` shows every default in
force beside the source named here, so a reader can follow it: the fitted
ones to the rows of ``partnersim/data/`` they were fitted on
(docs/calibration.md says how), the assumptions to the file that states them.
A test checks that every file named here is shipped and every address is one.
"""

from __future__ import annotations

DATA = "partnersim/data/"
DECISIONS = f"{DATA}partnership_decisions.csv"
EVENTS = f"{DATA}events.csv"
RATIFICATIONS = f"{DATA}ratification_finland_sweden.csv"
GLOBAL = "partnersim/process/builtin/global-partner.yaml"
ACCESSION = "partnersim/process/builtin/membership-accession.yaml"
EU = "partnersim/process/builtin/eu-accession.yaml"
# NATO's page on the North Atlantic Council: it meets at least weekly; ambassadors act on instructions.
COUNCIL = "http://www.nato.int/cps/en/SID-629797A8-DF1832AF/natolive/topics_49763.htm"
# NATO's page on partnership tools: an IPCP is drawn up with each partner as a two-year programme.
PROGRAMMES = "https://www.nato.int/cps/uk/natohq/topics_80925.htm?selectedLocale=en"

# The defaults of each kind's parameters (the models in partnersim/kinds/), by kind and key ("*": every key).
KIND_SOURCES: dict[tuple[str, str], str] = {
    ("consensus", "deliberation"): (
        "assumption, no dated record: a week typically, three at the 90th percentile; the North Atlantic "
        f"Council meets at least weekly and ambassadors act on instructions from capitals ({COUNCIL})"),
    ("consensus", "hold.probability"): (
        "fitted: 1 hold in 281 allied decisions on a partner (Türkiye on Israel's mission, 2011-2016), 95% "
        f"0.0004-0.0165 ({DECISIONS}, the partner_decision rows)"),
    ("consensus", "hold.duration"): (
        f"fitted through the 4 partnership holds on record, 188 to 1,966 days ({DECISIONS}, hold_start to "
        "hold_end); the spread is an assumption"),
    ("consensus", "hold.lifted"): (
        f"fitted: the 4 partnership holds on record ended without a veto ({DECISIONS}, outcome); the Jeffreys "
        "mean of 4 in 4"),
    ("talks", "*"): (
        "assumption: about two rounds of two months, as the talks of Colombia (late 2016 to May 2017) and "
        f"Mongolia (May 2011 to March 2012) suggest ({EVENTS})"),
    ("task", "*"): "assumption (partnersim/kinds/task.py)",
    ("silence", "breaks"): "assumption: silence is rarely broken on a drafted programme (partnersim/kinds/silence.py)",
    ("silence", "*"): "assumption (partnersim/kinds/silence.py)",
    ("items", "items"): "the 35 chapters of the EU's acquis (partnersim/kinds/items.py)",
    ("items", "*"): "assumption: no delay of its own unless the process or the scenario gives one "
                    "(partnersim/kinds/items.py)",
}

# The defaults of the built-in processes' stages, by process, stage and key ("*": any). Each process file
# says the same, at more length, beside the values.
PROCESS_SOURCES: dict[tuple[str, str, str], str] = {
    ("global-partner", "expert_talks", "*"): (
        "assumption sized on the talks of Colombia (late 2016 to May 2017) and Mongolia (May 2011 to March "
        f"2012) ({EVENTS}; {GLOBAL})"),
    ("global-partner", "ipcp_drafting", "*"): f"assumption ({GLOBAL})",
    ("global-partner", "ipcp_approval", "deliberation"): (
        f"assumption, no dated record: two days typically, a week at the 90th percentile ({GLOBAL})"),
    ("global-partner", "ipcp_approval", "hold.probability"): (
        f"fitted: 3 holds in 821 allied decisions on a programme, 95% 0.0010-0.0097 ({DECISIONS}, the "
        "programme_approval rows)"),
    ("membership-accession", "invitation", "deliberation"): (
        f"assumption: each ally ready within a day to four weeks, most likely one ({ACCESSION})"),
    ("membership-accession", "invitation", "hold.lifted"): (
        f"assumption: most single-ally blocks on record ended in consent ({EVENTS}; {ACCESSION})"),
    ("membership-accession", "invitation", "*"): (
        f"assumption sized on Türkiye's hold of Finland's and Sweden's invitation, 41 days in 2022 ({EVENTS}; "
        f"{ACCESSION})"),
    ("membership-accession", "accession_talks", "*"): (
        "assumption: Finland's and Sweden's talks took one session, days after their invitation "
        f"({EVENTS}; {ACCESSION})"),
    ("membership-accession", "protocol_signing", "*"): (
        f"assumption: Finland's and Sweden's protocols were signed a day after their talks ({EVENTS}; {ACCESSION})"),
    ("membership-accession", "ratification", "hold.lifted"): (
        f"assumption: the four Finland and Sweden ratification holds ended in consent ({RATIFICATIONS}; "
        f"{ACCESSION})"),
    ("membership-accession", "ratification", "*"): (
        f"fitted on the 60 ratifications of Finland's and Sweden's protocols ({RATIFICATIONS}; partnersim fit "
        "--column finland_days --column sweden_days)"),
    ("membership-accession", "deposit", "*"): (
        "Finland 5 days and Sweden 10 days from the last parliamentary consent to membership "
        f"({EVENTS}); the range is an assumption ({ACCESSION})"),
    ("eu-accession", "*", "*"): (
        f"the dated record of Croatia's, Montenegro's and Ukraine's accessions ({DATA}eu_events.csv, "
        f"{DATA}eu_chapters.csv; {EU})"),
}

# The other defaults a result depends on: the candidates' withdrawal and a partnership's life.
OTHER_SOURCES: dict[str, str] = {
    "withdrawal.annual_rate": "assumption: a candidate does not withdraw (partnersim/scenario/schema.py, Withdrawal)",
    "areas": "assumption (partnersim/scenario/schema.py, Areas)",
    "renewal.every": f"an IPCP is a two-year programme ({PROGRAMMES})",
    "suspension.annual_rate": "assumption: no suspension (partnersim/scenario/schema.py, Suspension)",
    "renewal.deliberation": ("assumption, as programme approval: two days typically, a week at the 90th "
                             "percentile (partnersim/scenario/schema.py, RENEWAL_ALLY_DEFAULTS)"),
    "renewal.hold.probability": PROCESS_SOURCES["global-partner", "ipcp_approval", "hold.probability"],
    "renewal.hold.lifted": ("assumption: no lapsed programme is on record, and Türkiye's block of Austria's "
                            f"programmes (2016-2022) ended in consent ({DECISIONS})"),
}


def kind_source(kind: str, key: str) -> str:
    """The source of the default of ``key`` in a stage of ``kind``."""
    return KIND_SOURCES.get((kind, key)) or KIND_SOURCES.get((kind, "*")) or f"partnersim/kinds/{kind}.py"


def process_source(process: str, stage: str, key: str) -> str:
    """The source of the default a built-in ``process`` gives ``key`` at ``stage``."""
    for wanted in ((process, stage, key), (process, stage, "*"), (process, "*", "*")):
        if wanted in PROCESS_SOURCES:
            return PROCESS_SOURCES[wanted]
    return f"partnersim/process/builtin/{process}.yaml, stages.{stage}.defaults"


def every_source() -> list[str]:
    """Every source named here (for the test that they can be followed)."""
    return [*KIND_SOURCES.values(), *PROCESS_SOURCES.values(), *OTHER_SOURCES.values()]
