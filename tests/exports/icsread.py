"""A small, strict iCalendar reader written from RFC 5545 for the tests, independent of the
icalendar library that writes the files: CRLF lines of at most 75 octets, unfolding, BEGIN/END
nesting, parameters, and TEXT unescaping (sections 3.1, 3.3.11)."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_OCTETS = 75


@dataclass
class Component:
    name: str
    properties: list[tuple[str, dict[str, str], str]] = field(default_factory=list)
    children: list[Component] = field(default_factory=list)

    def value(self, name: str) -> str:
        found = [v for n, _, v in self.properties if n == name]
        assert len(found) == 1, f"{self.name} has {len(found)} {name} properties"
        return found[0]

    def params(self, name: str) -> dict[str, str]:
        return next(p for n, p, _ in self.properties if n == name)

    def text(self, name: str) -> str:
        return unescape(self.value(name))

    def all(self, name: str) -> list[Component]:
        return [c for c in self.children if c.name == name]


def read_calendar(data: bytes) -> Component:
    text = data.decode("utf-8")
    assert text.endswith("\r\n"), "the last line must end in CRLF"
    physical = text[:-2].split("\r\n")
    for number, line in enumerate(physical, 1):
        assert "\n" not in line and "\r" not in line, f"line {number}: a bare line break"
        assert len(line.encode("utf-8")) <= MAX_OCTETS, f"line {number} is over 75 octets"
    lines: list[str] = []
    for line in physical:
        if line.startswith((" ", "\t")):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    root = Component("ROOT")
    stack = [root]
    for line in lines:
        head, value = _split(line)
        name, *raw_params = head.split(";")
        params = dict(p.split("=", 1) for p in raw_params)
        name = name.upper()
        if name == "BEGIN":
            child = Component(value.upper())
            stack[-1].children.append(child)
            stack.append(child)
        elif name == "END":
            assert stack[-1].name == value.upper(), f"END:{value} closes {stack[-1].name}"
            stack.pop()
        else:
            stack[-1].properties.append((name, params, value))
    assert len(stack) == 1, f"{stack[-1].name} is never closed"
    assert len(root.children) == 1 and root.children[0].name == "VCALENDAR"
    return root.children[0]


def _split(line: str) -> tuple[str, str]:
    """Name and parameters, then the value: the first colon outside a quoted parameter."""
    quoted = False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return line[:index], line[index + 1 :]
    raise AssertionError(f"no colon in {line!r}")


def unescape(value: str) -> str:
    out = []
    chars = iter(value)
    for char in chars:
        if char != "\\":
            out.append(char)
            continue
        following = next(chars)
        out.append("\n" if following in "nN" else following)
    return "".join(out)
