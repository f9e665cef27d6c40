"""How a scenario's settings are named: in a table (a label) and in a sentence (a phrase).

Each stage kind names its own settings (:attr:`partnersim.kinds.Kind.labels`
and ``phrases``); the candidates' settings are named here. A briefing's
assumption tables and a sensitivity analysis read the same names, so a
setting is called the same thing wherever it appears.
"""

from __future__ import annotations

from partnersim.kinds import KINDS
from partnersim.scenario.keys import flatten
from partnersim.scenario.schema import Scenario
from partnersim.text import capital

# Key path within a stage, an ally entry or a candidate → its label.
KEY_LABELS: dict[str, str] = {
    **{key: text for kind in KINDS.values() for key, text in kind.labels.items()},
    "request": "request date",
    "stage": "stage on the start date",
    "withdrawal": "withdrawal",
    "withdrawal.annual_rate": "withdrawal rate per year",
    "code": "code",
    "kind": "run as",
}

# Key path → how a sentence says it; {owner} is whose ("Türkiye's", "the allies'"), {stage} the stage's label.
KEY_PHRASES: dict[str, str] = {key: text for kind in KINDS.values() for key, text in kind.phrases.items()}


def key_label(key: str) -> str:
    """The label of the setting at ``key`` (``hold.probability``), or the key in words."""
    return KEY_LABELS.get(key, key.replace("_", " "))


def setting_label(scenario: Scenario, path: str) -> str:
    """A setting as a chart names it: ``Türkiye: chance of a hold``, ``IPCP drafting: duration``."""
    return _names(scenario, path)[0]


def setting_phrase(scenario: Scenario, path: str) -> str:
    """A setting as a sentence names it: ``Türkiye's chance of a hold``, ``the duration of IPCP drafting``."""
    return _names(scenario, path)[1]


def _names(scenario: Scenario, path: str) -> tuple[str, str]:
    parts = path.split(".")
    template = scenario.template
    stages = {s.name: s.label for s in template.stages} if template else {}
    if parts[0] == "allies" and len(parts) >= 3:
        who = _who(scenario, parts[1], "allies.", parts[2:])
        return f"{capital(who)}: {_setting(parts[2:])}", _ally_phrase(who, parts[2:])
    if parts[0] == "stages" and len(parts) >= 3:
        stage = stages.get(parts[1], parts[1])
        if len(parts) >= 5 and parts[2] == "allies":
            who = _who(scenario, parts[3], f"stages.{parts[1]}.allies.", parts[4:])
            field = _setting(parts[4:])
            return f"{stage} — {who}: {field}", f"{_ally_phrase(who, parts[4:])} at {stage}"
        field = _setting(parts[2:])
        return f"{stage}: {field}", KEY_PHRASES.get(parts[-1], "the {field} of {stage}").format(
            field=field, stage=stage)
    if parts[:3] == ["calendar", "summits", "wait"] and len(parts) == 4:
        stage = stages.get(parts[3], parts[3].capitalize())
        return f"{stage}: chance to wait for a summit", f"the chance that {stage} waits for a summit"
    if path == "spillover.freeze":
        return "Spillover: length of a freeze", "how long a veto freezes the other candidates' approvals"
    if parts[0] == "blocs" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(scenario.blocs):
        bloc = scenario.blocs[int(parts[1])].name
        what = "chance of acting as one" if parts[2] == "strength" else parts[2].replace("_", " ")
        return f"Bloc {bloc}: {what}", f"the {bloc} bloc's {what}"
    if (parts[:2] == ["calendar", "elections"] and len(parts) >= 4 and parts[2].isdigit()
            and int(parts[2]) < len(scenario.calendar.elections)):
        election = scenario.calendar.elections[int(parts[2])]
        who = scenario.roster.get(election.ally, election.ally)
        what = "hold chance after the election" if parts[3] == "hold" else "election " + parts[3]
        return f"{who}: {what}", f"{possessive(who)} {what}"
    if parts[0] == "candidates" and len(parts) >= 3:
        # By code, or by position as --set also names a candidate.
        names = {key: c.label for i, c in enumerate(scenario.candidates) for key in (c.code, str(i))}
        name = names.get(parts[1], parts[1])
        return f"{name}: {_setting(parts[2:])}", f"{possessive(name)} {_setting(parts[2:])}"
    return path, path


def _ally_phrase(who: str, field: list[str]) -> str:
    key = ".".join(field)
    return KEY_PHRASES.get(key, "{owner} " + _setting(field)).format(owner=possessive(who))


def _who(scenario: Scenario, code: str, prefix: str, field: list[str]) -> str:
    if code != "default":
        return scenario.roster.get(code, code)
    # "Other allies" when some ally has a value of its own for this setting.
    suffix = "." + ".".join(field)
    own = any(p.startswith(prefix) and p.endswith(suffix) and p[len(prefix):].split(".")[0] != "default"
              for p in flatten(scenario))
    return "other allies" if own else "all allies"


def possessive(who: str) -> str:
    """``Türkiye's``, ``the United Kingdom's``, ``other allies'``; a name's "(hypothetical)" left out."""
    if who == "all allies":
        return "the allies'"
    who = who.split(" (")[0]
    if who.startswith(("United ", "Netherlands")):
        who = "the " + who
    return f"{who}'" if who.endswith("s") else f"{who}'s"



def _setting(parts: list[str]) -> str:
    return key_label(".".join(parts))
