"""Reading one admin-edited YAML file safely, remembering the line of every value.

Why not `yaml.safe_load`: an admin needs the line of the offending value, not of the file start, and a
hostile file (aliases that multiply, object tags, megabytes of data, bad bytes) must be refused with a
message instead of eating memory or raising deep inside the bot.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

MAX_FILE_BYTES = 8_000_000

Path_ = tuple[str | int, ...]
_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a catalog, at a precise place."""

    path: Path
    line: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class YamlDoc:
    """A parsed file: plain Python data plus the line where each value starts."""

    path: Path
    data: Any
    lines: dict[Path_, int]

    def line_of(self, loc: Path_) -> int:
        """The line of the deepest known part of `loc` (a missing field points at its record)."""
        for end in range(len(loc), -1, -1):
            line = self.lines.get(loc[:end])
            if line is not None:
                return line
        return 1


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: about 20x faster


def _refuse_aliases(text: str) -> None:
    """Anchors' aliases are what 'billion laughs' files need; a catalog never does."""
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in a catalog file", event.start_mark
            )


class YamlError(Exception):
    """A file that cannot be read as YAML at all; carries the problem to report."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def read_yaml(path: Path, *, display: Path | None = None) -> YamlDoc:
    """Parse `path` into data and line numbers, or raise `YamlError` with a precise message."""
    shown = display or path
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise YamlError(Problem(shown, 1, f"cannot read the file ({exc.strerror})")) from None
    if len(raw) > MAX_FILE_BYTES:
        raise YamlError(Problem(shown, 1, f"file is larger than {MAX_FILE_BYTES // 1_000_000} MB"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlError(Problem(shown, line, "file is not UTF-8 text (save it as UTF-8)")) from None
    if not text.strip():
        raise YamlError(Problem(shown, 1, "file is empty"))
    loader = _Loader(text)
    try:
        _refuse_aliases(text)
        node = loader.get_single_node()
        lines: dict[Path_, int] = {}
        data = _to_data(node, (), lines, loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlError(Problem(shown, line, _yaml_message(exc))) from None
    except yaml.YAMLError as exc:
        raise YamlError(Problem(shown, 1, f"not valid YAML: {exc}")) from None
    finally:
        loader.dispose()
    return YamlDoc(shown, data, lines)


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
