"""Reading one admin-edited YAML file safely, and finding the line of any value when a problem needs it.

Two parsers, each for what it does best. yaml-rs (Rust) reads the data, about 20 times faster than PyYAML
(10,000 entries in 0.2 s instead of 4 s), with YAML 1.2 rules: `no`, `on` and quoted dates stay text.
PyYAML, with its node marks, finds line numbers, and only when a problem is reported. A hostile file
(aliases that multiply, object tags, megabytes of data, bad bytes) is refused with a message: when the
text could hold a tag, an anchor or an alias, PyYAML checks it first and points at the offending line.

Before any parser builds anything, the file must be a regular file no larger than `MAX_FILE_BYTES` (checked
on the open descriptor, and never read past the limit: a FIFO, a device or a 3 GB sparse file is refused at
once), hold at most `MAX_LINES_AND_COMMAS` lines and commas, and nest at most `MAX_DEPTH` levels. Both parsers
and the line finder recurse once per level (500 levels: a RecursionError; 100,000: the process crashes), so
depth is measured first on PyYAML's stream of events, which keeps no stack.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# yaml-rs allocates with a mimalloc of its own, which commits its arena eagerly by default: about 4 MB more
# resident memory for each file read, never given back (12 MB for catalog/quebec: issue 12). mimalloc reads
# its options when the library loads, hence before the import; a value set in the environment wins.
os.environ.setdefault("MIMALLOC_ARENA_EAGER_COMMIT", "0")
import yaml_rs

MAX_FILE_BYTES = 8_000_000
MAX_DEPTH = 40  # a catalog file nests about 6 levels (file, list, record, field, language, text)
# Lines plus commas bound the number of items a file can hold; 10,000 entries take about 250,000.
MAX_LINES_AND_COMMAS = 1_000_000
MAX_LIST_ITEMS = 50_000

Path_ = tuple[str | int, ...]
_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
# A tag (!x), an anchor (&x) or an alias (*x) starts a token: after a line start, a space, [ { or ,.
_SUSPICIOUS = re.compile(r"(?:^|[\s\[{,])[&*!][^\s,\]}]", re.MULTILINE)
_NO_ALIASES = yaml_rs.AliasLimits(max_total_replayed_events=0)
_YAML_RS_LINE = re.compile(r"at line (\d+)")
# Block nesting is at most as deep as a line's lead (indentation and "- ", "? ", ": " indicators) is wide,
# plus 2: a file whose leads all stay under half of MAX_DEPTH cannot nest too deeply in blocks. Flow nesting
# ([ and {) stops yaml-rs at a few hundred levels with an error, and the data it built is measured.
_DEEP_LEAD = re.compile(rf"^[ \t?:-]{{{MAX_DEPTH // 2 - 2},}}", re.MULTILINE)
_START_EVENTS = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_END_EVENTS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


class Problem:
    """One thing wrong in a catalog, at a precise place.

    The line may be given as a function: finding lines means parsing the file a second time, which only
    happens when somebody reads the problem's line (a valid catalog with warnings loads at full speed).
    """

    __slots__ = ("_where", "message", "path", "severity")

    def __init__(
        self, path: Path, where: int | Callable[[], int], message: str, severity: str = "error"
    ) -> None:
        self.path = path
        self._where = where
        self.message = message
        self.severity = severity

    @property
    def line(self) -> int:
        if callable(self._where):
            self._where = self._where()
        return self._where

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"

    def __repr__(self) -> str:
        return f"Problem({self})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Problem) and (str(self), self.severity) == (str(other), other.severity)

    __hash__ = None  # type: ignore[assignment]  # typeshed wants a method; None: unhashable, as it defines __eq__


@dataclass
class YamlDoc:
    """A parsed file: plain Python data, and the line where each value starts (computed when first asked)."""

    path: Path
    data: Any
    text: str = field(repr=False)
    _lines: dict[Path_, int] | None = field(default=None, repr=False)

    @property
    def lines(self) -> dict[Path_, int]:
        if self._lines is None:
            self._lines = _line_map(self.text)
        return self._lines

    def line_of(self, loc: Path_) -> int:
        """The line of the deepest known part of `loc` (a missing field points at its record)."""
        for end in range(len(loc), -1, -1):
            line = self.lines.get(loc[:end])
            if line is not None:
                return line
        return 1


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


def load_trusted(text: str) -> Any:
    """Parse a YAML file of the repository's own (test tables, corpus, taxonomy for a tool) with libyaml when
    available: several times faster than PyYAML's pure-Python `safe_load`, same safe types. Files an admin
    edits go through `read_yaml` instead (limits, line numbers, duplicate keys)."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader


class YamlError(Exception):
    """A file that cannot be read as YAML at all; carries the problem to report."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _text_of(path: Path, shown: Path) -> str:
    """The file's text, refusing what no catalog file can be: not a regular file, unreadable, too large,
    not UTF-8, empty. Opened without blocking (a FIFO would wait for a writer forever), checked on the
    descriptor (what is read is what was checked), read up to one byte past the limit and no further."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise YamlError(Problem(shown, 1, f"cannot read the file ({exc.strerror})")) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise YamlError(Problem(shown, 1, "not a regular file (a pipe, a device or a folder?): refused"))
        if info.st_size > MAX_FILE_BYTES:
            raise YamlError(Problem(shown, 1, f"file is larger than {MAX_FILE_BYTES // 1_000_000} MB"))
        raw = _read_at_most(fd, MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise YamlError(Problem(shown, 1, f"cannot read the file ({exc.strerror})")) from None
    finally:
        os.close(fd)
    if len(raw) > MAX_FILE_BYTES:  # it grew after the check
        raise YamlError(Problem(shown, 1, f"file is larger than {MAX_FILE_BYTES // 1_000_000} MB"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlError(Problem(shown, line, "file is not UTF-8 text (save it as UTF-8)")) from None
    if not text.strip():
        raise YamlError(Problem(shown, 1, "file is empty"))
    return text


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    left = limit
    while left > 0 and (chunk := os.read(fd, min(left, 1 << 20))):
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _check_bounds(text: str, shown: Path) -> None:
    """Refuse, before yaml-rs runs, a file with millions of items or nested too deeply in blocks (yaml-rs
    crashes the process on 100,000 nested "- ")."""
    items = text.count("\n") + text.count(",")
    if items > MAX_LINES_AND_COMMAS:
        message = (
            f"file has {items:,} lines and commas, more than {MAX_LINES_AND_COMMAS:,}: "
            "split it, or check that it was not generated by mistake"
        )
        raise YamlError(Problem(shown, 1, message))
    if _DEEP_LEAD.search(text) is not None:
        _exact_depth(text, shown)


def _exact_depth(text: str, shown: Path) -> None:
    """Count nesting on PyYAML's stream of events (no tree is built, no recursion); stop at the first
    value nested too deeply. A syntax error met on the way is reported as such."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, _START_EVENTS):
                depth += 1
                if depth > MAX_DEPTH:
                    line = event.start_mark.line + 1
                    message = f"values are nested more than {MAX_DEPTH} levels deep: a catalog needs about 6"
                    raise YamlError(Problem(shown, line, message))
            elif isinstance(event, _END_EVENTS):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlError(Problem(shown, mark.line + 1 if mark else 1, _yaml_message(exc))) from None
    except yaml.YAMLError as exc:
        raise YamlError(Problem(shown, 1, f"not valid YAML: {exc}")) from None


def read_yaml(path: Path, *, display: Path | None = None) -> YamlDoc:
    """Parse `path` into data (lines on demand), or raise `YamlError` with a precise message."""
    shown = display or path
    text = _text_of(path, shown)
    _check_bounds(text, shown)
    if _SUSPICIOUS.search(text):
        _exact_depth(text, shown)  # PyYAML's tree is built recursively: never for a deep file
        strict_parse(text, shown)  # raises at the line of a tag or an alias
    try:
        data = yaml_rs.loads(text, parse_datetime=False, alias_limits=_NO_ALIASES)
    except yaml_rs.YAMLDecodeError as exc:
        _exact_depth(text, shown)
        strict_parse(text, shown)  # PyYAML's message and line, when it sees the problem too
        message = str(exc).splitlines()[0]
        found = _YAML_RS_LINE.search(str(exc))
        raise YamlError(
            Problem(shown, int(found.group(1)) if found else 1, f"not valid YAML: {message}")
        ) from None
    doc = YamlDoc(shown, data, text)
    if isinstance(data, dict | list):
        _check_shape(doc)
    return doc


def _check_shape(doc: YamlDoc) -> None:
    """Measured on the data, without recursion: nesting (yaml-rs accepts a few hundred flow levels, which
    PyYAML's line finder would recurse into) and lists longer than any catalog needs, refused as one
    problem before they are validated item by item (3.9 million bad items would make as many problems)."""
    containers = (dict, list)
    stack: list[tuple[Any, int, str]] = [(doc.data, 0, "file")]
    while stack:
        value, depth, name = stack.pop()
        if depth >= MAX_DEPTH:
            _exact_depth(doc.text, doc.path)  # raises at the line
            raise YamlError(Problem(doc.path, 1, f"values are nested more than {MAX_DEPTH} levels deep"))
        if isinstance(value, dict):
            stack.extend(
                (item, depth + 1, str(key)) for key, item in value.items() if isinstance(item, containers)
            )
            continue
        if len(value) > MAX_LIST_ITEMS:
            message = f"{name}: {len(value):,} items, more than {MAX_LIST_ITEMS:,}: split the file"
            raise YamlError(Problem(doc.path, _key_line(doc.text, name), message))
        stack.extend((item, depth + 1, name) for item in value if isinstance(item, containers))


def _key_line(text: str, key: str) -> int:
    """The first line where `key:` is written (without building PyYAML's tree of a huge file)."""
    found = re.search(rf"^[ \t-]*{re.escape(key)}[ \t]*:", text, re.MULTILINE)
    return text.count("\n", 0, found.start()) + 1 if found else 1


def strict_parse(text: str, shown: Path) -> tuple[Any, dict[Path_, int]]:
    """PyYAML's careful reading: data and lines, refusing aliases, object tags and duplicate keys."""
    loader = _Loader(text)
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent):
                raise yaml.composer.ComposerError(
                    None, None, "aliases (*name) are not allowed in a catalog file", event.start_mark
                )
        node = loader.get_single_node()
        lines: dict[Path_, int] = {}
        return _to_data(node, (), lines, loader), lines
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlError(Problem(shown, line, _yaml_message(exc))) from None
    except yaml.YAMLError as exc:
        raise YamlError(Problem(shown, 1, f"not valid YAML: {exc}")) from None
    finally:
        loader.dispose()


def _line_map(text: str) -> dict[Path_, int]:
    """The line of every value, from PyYAML's node tree (structure only: no value is built)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    lines: dict[Path_, int] = {}
    stack: list[tuple[yaml.Node, Path_]] = [(node, ())] if node is not None else []
    while stack:
        current, path = stack.pop()
        lines[path] = current.start_mark.line + 1
        if isinstance(current, yaml.MappingNode):
            stack.extend((value, (*path, key.value)) for key, value in current.value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((item, (*path, index)) for index, item in enumerate(current.value))
    return lines


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or "not valid YAML"
    if "could not determine a constructor" in problem:
        return "tags such as !!python/... are not allowed in a catalog file"
    return f"not valid YAML: {problem}"


def _to_data(node: yaml.Node, path: Path_, lines: dict[Path_, int], loader: yaml.SafeLoader) -> Any:
    """Build plain data from a node tree, recording the line of each value; duplicate keys are errors."""
    lines[path] = node.start_mark.line + 1
    if not isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN_TAGS:
        raise yaml.constructor.ConstructorError(
            None, None, "could not determine a constructor for the tag " + node.tag, node.start_mark
        )
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int) or isinstance(key, bool):
                raise yaml.constructor.ConstructorError(
                    None, None, "keys must be plain words", key_node.start_mark
                )
            if key in result:
                raise yaml.constructor.ConstructorError(
                    None, None, f"'{key}' appears twice in the same record", key_node.start_mark
                )
            result[key] = _to_data(value_node, (*path, key), lines, loader)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_to_data(item, (*path, index), lines, loader) for index, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)
