"""Reading protocols, the exercise library and cases from files, with errors that say where.

Every error names the file, the field path (`phases[2].exit[0].days`) and the problem, so a
clinic editing its own protocol, or a tool writing cases, can fix it without reading Python.
"""

from __future__ import annotations

import copy
import json
import re
import sys
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from restride.domain.case import Case
from restride.domain.library import Library, check_library
from restride.domain.protocol import Problem, Protocol, check_protocol

DATA = resources.files("restride") / "data"


class InputError(Exception):
    """Bad input from a file or stdin: carries one message per problem, each with its place."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return "\n".join(
            f"{self.source}: {p.path}: {p.message}" if p.path else f"{self.source}: {p.message}"
            for p in self.problems
        )


class ProtocolError(InputError):
    pass


class CaseError(InputError):
    pass


def field_path(loc: tuple[int | str, ...]) -> str:
    """Render a pydantic error location as `phases[2].exit[0].days`."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


CRITERION_KINDS = frozenset(
    {
        "min_days_in_phase",
        "min_days_from_start",
        "checkin_streak",
        "program_complete",
        "test_passed",
        "clinician_clearance",
        "no_flare_within",
    }
)


def problems_of(error: ValidationError) -> list[Problem]:
    problems: list[Problem] = []
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        # A discriminated union puts its tag in the path (exit[0].checkin_streak.days): drop it.
        cleaned = tuple(
            part
            for i, part in enumerate(loc)
            if not (i and isinstance(loc[i - 1], int) and part in CRITERION_KINDS)
        )
        message = str(item["msg"]).removeprefix("Value error, ")
        if item["type"] == "missing":
            message = "required field is missing"
        elif item["type"] == "extra_forbidden":
            message = "unknown field (check the spelling)"
        elif not isinstance(item.get("input"), dict | list) and "input" in item:
            message += f" (got {item['input']!r})"
        problems.append(Problem(path=field_path(cleaned), message=message))
    return problems


def _read_yaml(path: Path | Any, source: str, error: type[InputError]) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(source, [Problem(path="", message="no such file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(source, [Problem(path="", message=f"cannot read it: {exc}")]) from None
    try:
        # libyaml's parser when PyYAML has it (its wheels do): the same safe loading, ~10x faster.
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise error(
            source, [Problem(path="", message=f"{where}not valid YAML: {problem}")]
        ) from None
    if not isinstance(data, dict):
        raise error(source, [Problem(path="", message="expected a mapping of fields at the top")])
    return data


def library_from_data(data: dict[str, Any], source: str) -> Library:
    entries = data.get("exercises")
    problems: list[Problem] = []
    if not isinstance(entries, list):
        raise ProtocolError(
            source, [Problem(path="exercises", message="expected a list of exercises")]
        )
    by_id: dict[str, Any] = {}
    for index, entry in enumerate(entries):
        exercise_id = entry.get("id") if isinstance(entry, dict) else None
        if isinstance(exercise_id, str) and exercise_id in by_id:
            problems.append(
                Problem(path=f"exercises[{index}].id", message=f"{exercise_id!r} is listed twice")
            )
        by_id[str(exercise_id) if exercise_id is not None else f"#{index}"] = entry
    if problems:
        raise ProtocolError(source, problems)
    try:
        # A missing version is reported as missing, not read as the old stub's version 1.
        given = {k: data[k] for k in ("version",) if k in data}
        library = Library.model_validate({**given, "exercises": by_id})
    except ValidationError as exc:
        # Report list positions, not dictionary keys, so the path matches the file.
        keys = list(by_id)
        fixed = []
        for p in problems_of(exc):
            parts = p.path.split(".", 2)
            if len(parts) >= 2 and parts[0] == "exercises" and parts[1] in keys:
                rest = "." + parts[2] if len(parts) > 2 else ""
                fixed.append(
                    Problem(path=f"exercises[{keys.index(parts[1])}]{rest}", message=p.message)
                )
            else:
                fixed.append(p)
        raise ProtocolError(source, fixed) from None
    keys = list(by_id)
    links = [
        Problem(path=f"exercises[{keys.index(p.exercise_id)}].{p.field}", message=p.message)
        for p in check_library(library.exercises)
    ]
    if links:
        raise ProtocolError(source, links)
    return library


@cache
def builtin_library() -> Library:
    source = "exercises.yaml"
    return library_from_data(_read_yaml(DATA / "exercises.yaml", source, ProtocolError), source)


def load_protocol(path: Path | str) -> Protocol:
    """Read and check a protocol file; `ProtocolError` lists every problem with its place."""
    file = Path(path)
    return _protocol_from(file, str(file))


@cache
def builtin_protocol(name: str = "ten-steps") -> Protocol:
    available = builtin_protocol_names()
    if name not in available:
        raise ProtocolError(
            name,
            [
                Problem(
                    path="",
                    message=f"no built-in protocol {name!r}; built in: {', '.join(available)}",
                )
            ],
        )
    return _protocol_from(DATA / "protocols" / f"{name}.yaml", f"{name}.yaml")


@cache
def builtin_protocol_names() -> list[str]:
    """The built-in protocols' names (the package's files do not change while it runs)."""
    folder = DATA / "protocols"
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


def _shift_exercise_index(problem: Problem, offset: int) -> Problem:
    match = re.match(r"exercises\[(\d+)\](.*)", problem.path)
    if match is None or int(match.group(1)) + offset < 0:
        return problem
    return Problem(
        path=f"exercises[{int(match.group(1)) + offset}]{match.group(2)}", message=problem.message
    )


# The protocol whose engine rules, red flags and high-risk sites another protocol gets by
# default: a small protocol needs only its phases and the rules they name.
DEFAULTS_FROM = "ten-steps"
# What a protocol with a `base` must say itself: it is another protocol, not a copy.
OWN_FIELDS = ("id", "version", "title", "summary")


def _raw_protocol(file: Any, source: str, *, seen: tuple[str, ...] = ()) -> dict[str, Any]:
    """A protocol file's fields with its `base` and the defaults filled in, not yet validated."""
    data = _read_yaml(file, source, ProtocolError)
    # `x-` keys hold YAML anchors for reuse (as in OpenAPI); they are not part of the model.
    data = {k: v for k, v in data.items() if not str(k).startswith("x-")}
    base_name = data.pop("base", None)
    overrides = data.pop("phase_overrides", None)
    if base_name is not None:
        data = _on_base(data, base_name, overrides, source, seen)
    elif overrides is not None:
        raise ProtocolError(
            source, [Problem(path="phase_overrides", message="needs a `base` protocol to change")]
        )
    if data.get("id") != DEFAULTS_FROM and DEFAULTS_FROM not in seen:
        data = _with_defaults(data, _builtin_raw(DEFAULTS_FROM))
    return data


def _on_base(
    data: dict[str, Any],
    base_name: Any,
    overrides: Any,
    source: str,
    seen: tuple[str, ...],
) -> dict[str, Any]:
    if not isinstance(base_name, str) or base_name not in builtin_protocol_names():
        known = ", ".join(builtin_protocol_names())
        raise ProtocolError(
            source, [Problem(path="base", message=f"no built-in protocol {base_name!r}; {known}")]
        )
    if base_name in seen or base_name == data.get("id"):
        raise ProtocolError(source, [Problem(path="base", message="protocols based in a loop")])
    missing = [f for f in OWN_FIELDS if f not in data]
    if missing:
        raise ProtocolError(
            source,
            [
                Problem(path=f, message="required field is missing (a based protocol says its own)")
                for f in missing
            ],
        )
    base = copy.deepcopy(_builtin_raw(base_name, seen=(*seen, str(data.get("id")))))
    merged = {**base, **data}
    if "rules" in data:
        own = {r.get("id") for r in data["rules"] if isinstance(r, dict)}
        merged["rules"] = [r for r in base.get("rules", []) if r.get("id") not in own] + list(
            data["rules"]
        )
    for key, same in (("evidence", "id"), ("departures", "step")):
        # Added to the base's, not instead: a based protocol keeps the base's reasons, and its
        # own entry replaces the base's with the same ID (evidence) or step (departures).
        if isinstance(data.get(key), list):
            own = {e.get(same) for e in data[key] if isinstance(e, dict)}
            kept = [e for e in base.get(key, []) if isinstance(e, dict) and e.get(same) not in own]
            merged[key] = kept + list(data[key])
    if "engine_rules" in data and isinstance(data["engine_rules"], dict):
        merged["engine_rules"] = {**base.get("engine_rules", {}), **data["engine_rules"]}
    if overrides is not None:
        merged["phases"] = _overridden_phases(merged.get("phases", []), overrides, source)
    return merged


def _overridden_phases(phases: list[Any], overrides: Any, source: str) -> list[Any]:
    if not isinstance(overrides, dict):
        raise ProtocolError(
            source,
            [Problem(path="phase_overrides", message="expected a mapping of phase id to fields")],
        )
    ids = [p.get("id") for p in phases if isinstance(p, dict)]
    problems = [
        Problem(path=f"phase_overrides.{key}", message=f"no phase {key!r} in the base")
        for key in overrides
        if key not in ids
    ]
    problems += [
        Problem(path=f"phase_overrides.{key}", message="expected a mapping of fields")
        for key, fields in overrides.items()
        if not isinstance(fields, dict)
    ]
    if problems:
        raise ProtocolError(source, problems)
    return [
        {**phase, **overrides.get(phase.get("id"), {})} if isinstance(phase, dict) else phase
        for phase in phases
    ]


def _with_defaults(data: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """Engine-rule mappings, red flags and high-risk sites a protocol leaves out come from
    `DEFAULTS_FROM`, with the rules they name."""
    data = dict(data)
    given = data.get("engine_rules")
    if given is None or isinstance(given, dict):
        data["engine_rules"] = {**defaults["engine_rules"], **(given or {})}
    for key in ("red_flags", "high_risk_sites"):
        if key not in data:
            data[key] = copy.deepcopy(defaults[key])
    rules = data.get("rules")
    if isinstance(rules, list):
        have = {r.get("id") for r in rules if isinstance(r, dict)}
        needed = (
            set(data["engine_rules"].values()) if isinstance(data["engine_rules"], dict) else set()
        )
        needed |= {f.get("rule") for f in data.get("red_flags") or [] if isinstance(f, dict)}
        data["rules"] = list(rules) + [
            copy.deepcopy(r) for r in defaults["rules"] if r["id"] in needed - have
        ]
    return data


@cache
def _builtin_raw_cached(name: str) -> dict[str, Any]:
    return _raw_protocol(DATA / "protocols" / f"{name}.yaml", f"{name}.yaml")


def _builtin_raw(name: str, *, seen: tuple[str, ...] = ()) -> dict[str, Any]:
    if seen:
        return _raw_protocol(DATA / "protocols" / f"{name}.yaml", f"{name}.yaml", seen=seen)
    return _builtin_raw_cached(name)


def _protocol_from(file: Any, source: str) -> Protocol:
    data = copy.deepcopy(_raw_protocol(file, source))
    library = builtin_library()
    extra = data.pop("exercises", None)
    if extra is not None:
        merged = [e.model_dump() for e in library.exercises.values()]
        if not isinstance(extra, list):
            raise ProtocolError(
                source, [Problem(path="exercises", message="expected a list of exercises")]
            )
        try:
            library = library_from_data(
                {"version": library.version, "exercises": merged + extra}, source
            )
        except ProtocolError as exc:
            # Point at the protocol file's own list, not at the merged one.
            raise ProtocolError(
                source, [_shift_exercise_index(p, -len(merged)) for p in exc.problems]
            ) from None
    data["library"] = library
    try:
        protocol = Protocol.model_validate(data)
    except ValidationError as exc:
        raise ProtocolError(source, problems_of(exc)) from None
    problems = check_protocol(protocol)
    if problems:
        raise ProtocolError(source, problems)
    return protocol


def read_case(path: str) -> Case:
    """Read a case from a JSON file, or from stdin when `path` is `-`."""
    source = "<stdin>" if path == "-" else path
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CaseError(source, [Problem(path="", message="no such file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseError(source, [Problem(path="", message=f"cannot read it: {exc}")]) from None
    return parse_case(text, source)


def parse_case(text: str, source: str = "<case>") -> Case:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CaseError(
            source,
            [
                Problem(
                    path="",
                    message=f"line {exc.lineno}, column {exc.colno}: not valid JSON: {exc.msg}",
                )
            ],
        ) from None
    if not isinstance(data, dict):
        raise CaseError(
            source, [Problem(path="", message="expected a JSON object with the case's fields")]
        )
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        raise CaseError(source, problems_of(exc)) from None


def demo_names() -> list[str]:
    folder = DATA / "demo"
    return sorted(
        p.name.removesuffix(".json") for p in folder.iterdir() if p.name.endswith(".json")
    )


def demo_case(name: str) -> Case:
    names = demo_names()
    if name not in names:
        raise CaseError(
            name, [Problem(path="", message=f"no demo case {name!r}; demos: {', '.join(names)}")]
        )
    return parse_case((DATA / "demo" / f"{name}.json").read_text(encoding="utf-8"), f"demo {name}")
