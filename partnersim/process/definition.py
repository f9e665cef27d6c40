"""A process as data: its stages, each stage's kind and defaults, and where every way of leaving a stage leads.

A process is declared in YAML (the built-in ones ship as files in
``partnersim/process/builtin/``; a scenario may name one, point at a file of
its own, or declare one inline)::

    name: global-partner
    description: A nation asks NATO for global-partner status; ...
    success: cooperation
    success_label: Cooperation
    life: true                       # the success is a partnership that is renewed and can be suspended
    stages:
      consensus:
        kind: consensus              # a stage kind of the registry (partnersim/kinds)
        label: Allied consensus
        council: true                # a North Atlantic Council decision, taken at its meetings
        exits:
          veto: {to: requested, after: {uniform: [1y, 3y]}, give_up: 0.5}
      expert_talks:
        kind: talks
        defaults: {teams: 2, agreement: 0.6}

A case asks (``requested``) and enters the first stage; it walks the stages
in order unless an exit says otherwise. Every exit a stage's kind can produce
leads, by default, where a process run in order would send it: ``advance`` to
the next stage (after the last, to the success state), ``veto`` to
``rejected``, ``fail`` to ``talks_failed``, ``timeout`` to ``withdrawn``. An
exit may lead instead to another stage (an earlier one too), to an outcome,
to one of several states with probabilities, or back to a stage (or to
``requested``) after a wait, with a chance that the candidate gives up.
Withdrawal and the horizon can cut in from every open state.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Union

from pydantic import BeforeValidator, Field, TypeAdapter, model_validator

from partnersim.kinds import KINDS
from partnersim.kinds.base import Exit
from partnersim.process.route import (
    PENDING,
    PROSPECTIVE,
    REJECTED,
    REQUESTED,
    TALKS_FAILED,
    WAITING,
    WITHDRAWN,
    Branches,
    Goto,
    Retry,
    Route,
    Target,
)
from partnersim.values.distributions import Distribution
from partnersim.values.numbers import Frozen, Probability

RENEWAL = "renewal"
SUSPENDED = "suspended"
LAPSED = "lapsed"

OUTCOME_LABELS: dict[str, str] = {
    REJECTED: "Rejected (an ally vetoed)",
    WITHDRAWN: "Withdrawn by the candidate",
    TALKS_FAILED: "Talks failed (round limit)",
    PENDING: "Pending at the horizon",
}
# The same, in a table's column heading or a chart's box.
SHORT_OUTCOME_LABELS: dict[str, str] = {
    REJECTED: "Rejected",
    WITHDRAWN: "Withdrawn",
    TALKS_FAILED: "Talks failed",
    PENDING: "Pending",
    SUSPENDED: "Suspended",
    LAPSED: "Lapsed",
}
SHARED_OUTCOMES = (REJECTED, WITHDRAWN, TALKS_FAILED, PENDING)
RESERVED = (PROSPECTIVE, REQUESTED, WAITING, *SHARED_OUTCOMES, RENEWAL, SUSPENDED, LAPSED)

EXIT_NAMES = {"advance": Exit.ADVANCE, "veto": Exit.VETO, "fail": Exit.FAIL, "timeout": Exit.TIMEOUT}
# Where an exit leads when the process does not say: as a process run in order would. (A case that
# gives up waiting after an advance is withdrawn.)
DEFAULT_OUTCOME = {Exit.VETO: REJECTED, Exit.FAIL: TALKS_FAILED, Exit.TIMEOUT: WITHDRAWN, Exit.ADVANCE: WITHDRAWN}

Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]  # a state: lower case, underscores
ProcessName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=60)]


class Branch(Frozen):
    """One of the states an exit may lead to, and its probability."""

    to: Name
    p: Probability


class Return(Frozen):
    """An exit that leads to ``to``, after a wait when ``after`` is given.

    With ``give_up``, the candidate does not come back from the wait: the case
    ends in ``otherwise`` (by default where the exit leads in a process run in
    order: ``rejected`` for a veto).
    """

    to: Name
    after: Distribution | None = None
    give_up: Probability = 0.0
    otherwise: Name | None = None

    @model_validator(mode="after")
    def _wait_for_a_give_up(self) -> Return:
        if (self.give_up > 0 or self.otherwise is not None) and self.after is None:
            raise ValueError("give_up and otherwise go with after: a candidate gives up while it waits to ask again")
        return self


def _exit_form(value: Any) -> Any:
    """``rejected`` is ``{to: rejected}``; a list is branches."""
    if isinstance(value, str):
        return {"to": value}
    return value


ExitSpec = Annotated[Union[list[Branch], Return], BeforeValidator(_exit_form)]
EXIT_SPEC: TypeAdapter[Any] = TypeAdapter(ExitSpec)


class StageSpec(Frozen):
    """One stage: its name in scenario files, its kind, its defaults and where its exits lead."""

    name: Name
    kind: str
    label: str = ""
    defaults: dict[str, Any] = Field(default_factory=dict)
    council: bool = False  # a North Atlantic Council decision (taken at its meetings)
    approval: bool = False  # the approval a veto elsewhere can freeze (spillover)
    exits: dict[str, ExitSpec] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _label(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("label") and isinstance(data.get("name"), str):
            data = {**data, "label": data["name"].replace("_", " ").capitalize()}
        return data


def _stages_by_name(value: Any) -> Any:
    """``stages:`` is a mapping of name to settings in a file, in order; a list of stages inside."""
    if isinstance(value, dict):
        return [{"name": name, **(spec if isinstance(spec, dict) else {"kind": spec})} for name, spec in value.items()]
    return value


class Template(Frozen):
    """A process: stages in order, where their exits lead, and what reaching the end is called."""

    name: ProcessName
    description: str = ""
    stages: Annotated[tuple[StageSpec, ...], BeforeValidator(_stages_by_name), Field(min_length=1)]
    success: Name  # the state a case reaches at the end
    success_label: str = ""  # how a table or chart names it ("Cooperation")
    success_phrase: str = ""  # how a sentence names reaching it: "cooperation", "membership"
    decider: Annotated[str, Field(min_length=1, max_length=40)] = "ally"  # one of those whose consent counts
    deciders: Annotated[str, Field(min_length=1, max_length=40)] = "allies"  # all of them: "member states"
    life: bool = False  # the success state is a partnership that is renewed and can be suspended

    @model_validator(mode="before")
    @classmethod
    def _success_label(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("success_label") and isinstance(data.get("success"), str):
            data = {**data, "success_label": data["success"].replace("_", " ").capitalize()}
        return data

    @property
    def success_words(self) -> str:
        return self.success_phrase or self.success.replace("_", " ")

    def stage(self, name: str) -> StageSpec:
        for spec in self.stages:
            if spec.name == name:
                return spec
        raise KeyError(name)

    @property
    def stage_names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.stages)

    @property
    def council_stages(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.stages if spec.council)

    @property
    def approval_stages(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.stages if spec.approval)

    @property
    def outcomes(self) -> tuple[str, ...]:
        return (self.success, *SHARED_OUTCOMES)


def route_of(
    template: Template, exits: dict[str, dict[str, Any]] | None = None, timed: frozenset[str] = frozenset()
) -> Route:
    """The route of a process: each stage's exits to where the process (or ``exits``, by stage) sends them.

    ``exits`` holds a scenario's changes: for a stage, an exit and where it
    leads instead (as validated, or as written). The stages in ``timed`` have
    a time limit, so a timeout exit too.
    """
    names = template.stage_names
    routes: list[dict[Exit, Target]] = []
    for index, spec in enumerate(template.stages):
        kind = KINDS[spec.kind]
        declared = {**spec.exits, **((exits or {}).get(spec.name) or {})}
        produced = set(kind.exits - {Exit.WITHDRAW})
        if "timeout" in declared or spec.name in timed:
            produced.add(Exit.TIMEOUT)
        following = names[index + 1] if index + 1 < len(names) else template.success
        routes.append({exit: _target(declared.get(_exit_name(exit)), exit, following) for exit in sorted(produced)})
    return Route(stages=names, exits=tuple(routes), success=template.success, outcomes=template.outcomes)


def _exit_name(exit: Exit) -> str:
    return next(name for name, value in EXIT_NAMES.items() if value == exit)


def _target(spec: Any, exit: Exit, following: str) -> Target:
    """Where an exit leads: as the process (or a scenario) says, else where a process in order sends it."""
    if spec is None:
        return Goto(following if exit == Exit.ADVANCE else DEFAULT_OUTCOME[exit])
    if isinstance(spec, (dict, str)):
        spec = EXIT_SPEC.validate_python(spec)
    if isinstance(spec, list):
        return Branches(tuple((branch.to, branch.p) for branch in spec))
    assert isinstance(spec, Return)
    if spec.after is None:
        return Goto(spec.to)
    return Retry(spec.to, spec.after, spec.give_up, spec.otherwise or DEFAULT_OUTCOME[exit])


# --- what a process must be: checks beyond the shape of each value -------------------------------------

KeyPath = tuple[str | int, ...]


def structure_problems(template: Template) -> Iterator[tuple[KeyPath, str]]:
    """Key path and message of each thing wrong with the process as a whole.

    Names that clash, kinds the registry does not know, exits a kind cannot
    produce or that lead nowhere, branches whose chances do not add to 1,
    stages no case can reach, and states from which no case can ever reach an
    outcome (a loop with no way out).
    """
    names = template.stage_names
    if template.success in names or template.success in RESERVED:
        yield ("success",), f"{template.success!r} is a stage's or a built-in state's name; choose another"
    seen: set[str] = set()
    for spec in template.stages:
        if spec.name in seen:
            yield ("stages", spec.name), "two stages have this name"
        seen.add(spec.name)
        if spec.name in RESERVED:
            yield ("stages", spec.name), f"{spec.name!r} is the name of a built-in state; choose another"
    broken = False
    for spec in template.stages:
        if spec.kind not in KINDS:
            broken = True
            yield ("stages", spec.name, "kind"), f"unknown kind {spec.kind!r}; the kinds are {', '.join(KINDS)}"
            continue
        found = list(exit_problems(template, spec.name, spec.exits, ("stages", spec.name, "exits")))
        broken |= bool(found)
        yield from found
    if not broken:
        yield from reach_problems(template)


def exit_problems(
    template: Template, stage: str, exits: dict[str, Any], prefix: KeyPath
) -> Iterator[tuple[KeyPath, str]]:
    """What is wrong with the ``exits`` of ``stage``: exits the kind cannot produce, states that do not exist."""
    spec = template.stage(stage)
    kind = KINDS[spec.kind]
    produced = {_exit_name(e) for e in kind.exits - {Exit.WITHDRAW}}
    states = [REQUESTED, *template.stage_names, *template.outcomes]
    for name, target in exits.items():
        if name not in EXIT_NAMES:
            yield (*prefix, name), f"unknown exit {name!r}; a stage can end by {', '.join(EXIT_NAMES)}"
            continue
        if name not in produced and name != "timeout":
            yield (*prefix, name), (f"a {spec.kind} stage never ends by {name} (it ends by "
                                    f"{', '.join(sorted(produced))}, or by a timeout)")
            continue
        if not isinstance(target, (list, Return)):
            try:
                target = EXIT_SPEC.validate_python(target)
            except ValueError as exc:
                yield (*prefix, name), (f"expected a state's name, {{to: STATE, after: DURATION, give_up: P}}, or a "
                                        f"list of {{to: STATE, p: P}} ({_first_error(exc)})")
                continue
        if isinstance(target, list):
            total = sum(branch.p for branch in target)
            if abs(total - 1.0) > 1e-9:
                yield (*prefix, name), f"the chances of the branches add up to {total:g}, not 1"
            destinations = [branch.to for branch in target]
        else:
            destinations = [target.to, *([target.otherwise] if target.otherwise else [])]
        for where in destinations:
            if where not in states:
                yield (*prefix, name), f"{where!r} is not a state of the process; the states are {', '.join(states)}"


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"] if not str(p).startswith(("list[", "Return", "function")))
        return f"{where}: {first['msg']}" if where else str(first["msg"])
    return str(exc)


def reach_problems(template: Template, exits: dict[str, dict[str, Any]] | None = None) -> Iterator[
        tuple[KeyPath, str]]:
    """Stages that no case can reach from its request, and states from which no case reaches an outcome."""
    route = route_of(template, exits)
    edges = _edges(route)
    reached = _closure(edges, [REQUESTED])
    for spec in template.stages:
        if spec.name not in reached:
            yield ("stages", spec.name), f"no case that asks can ever reach {spec.name}: no exit leads to it"
    outcomes = set(route.outcomes)
    for state in route.stages:
        if state in reached and not _closure(edges, [state]) & outcomes:
            yield ("stages", state), (f"no case that enters {state} can ever reach an outcome: every way out "
                                      "leads back to where it came from")


def _edges(route: Route) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {REQUESTED: {route.stages[0]}}
    for stage, exits in zip(route.stages, route.exits, strict=True):
        edges[stage] = set()
        for target in exits.values():
            if isinstance(target, Retry):
                edges[stage] |= {target.state, target.otherwise}
            else:
                edges[stage] |= set(target.destinations)
    return edges


def _closure(edges: dict[str, set[str]], start: list[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(start)
    while todo:
        state = todo.pop()
        if state in seen:
            continue
        seen.add(state)
        todo += edges.get(state, ())
    return seen
