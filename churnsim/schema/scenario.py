"""Scenario files: find, read, override and validate them into a typed ``Scenario``.

Every way a scenario can be wrong ends in one ``ScenarioError`` whose message names the
dotted path, the value and what is allowed, so the CLI can print it as one line.
"""

from __future__ import annotations

import codecs
import copy
import difflib
import hashlib
import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ValidationError

from churnsim.schema.params import Levers, Scenario
from churnsim.schema.strategies import STRATEGIES, resolve_levers

DEFAULT_SCENARIO = "electricity"


class ScenarioError(ValueError):
    """Bad scenario input: the message is meant for the user as it stands."""


def builtin_dir() -> Path:
    return Path(str(resources.files("churnsim.schema") / "scenarios"))


def builtin_scenarios() -> dict[str, Path]:
    return {p.stem: p for p in sorted(builtin_dir().glob("*.toml"))}


def scenario_path(source: str | Path | None) -> Path:
    """A built-in name (``mobile``) or a file path; ``None`` is the default scenario."""
    if source is None:
        source = DEFAULT_SCENARIO
    path = Path(source)
    if path.is_file():
        return path
    builtins = builtin_scenarios()
    if str(source) in builtins:
        return builtins[str(source)]
    if path.is_dir():
        require_file(path)  # raises, calling the directory a directory rather than missing
    raise ScenarioError(
        f"scenario {str(source)!r}: no such file or built-in scenario; built-ins: {', '.join(builtins)}"
    )


def require_file(path: Path, kind: str = "scenario file") -> Path:
    """The path itself if it is a file; else an error that says whether it is a directory or missing."""
    if path.is_dir():
        raise ScenarioError(f"{path}: a directory, where a .toml {kind} is needed")
    if not path.is_file():
        raise ScenarioError(f"{path}: no such {kind}")
    return path


def read_toml(path: Path) -> dict[str, Any]:
    """Read a TOML file as UTF-8, with or without the byte-order mark some editors (Notepad) write."""
    try:
        text = path.read_bytes().removeprefix(codecs.BOM_UTF8).decode("utf-8")
        return tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path}: not a UTF-8 text file (byte {exc.start} is {exc.object[exc.start]:#04x}); "
                            "save it as UTF-8 TOML") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read: {exc.strerror}") from None


def parse_value(text: str) -> Any:
    """A --set value as TOML would read it (numbers, booleans, arrays), else a plain string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def _item_index(items: list[Any], key: str, where: str, noun: str = "item") -> int:
    """The index of the provider or segment named ``key`` (or numbered ``key``) in a list of tables."""
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("name") == key:
            return i
    if key.isdigit() and int(key) < len(items):
        return int(key)
    names = [str(item.get("name", i)) for i, item in enumerate(items) if isinstance(item, dict)]
    raise ScenarioError(f"{where}: no {noun} {key!r}; allowed: {', '.join(names)} or an index below {len(items)}")


def unknown_key(key: str, allowed_keys: list[str] | tuple[str, ...]) -> str:
    """Why a key is refused: the keys allowed in its place, and the likeliest one it was meant to be."""
    close = difflib.get_close_matches(key, allowed_keys, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown parameter {key!r}; allowed here: {', '.join(allowed_keys)}{hint}"


def _schema_at(model: type[BaseModel], parts: list[str]) -> None:
    """Check a dotted path against the schema so a typo is an error, not a new key."""
    current: Any = model
    for part in parts:
        if isinstance(current, type) and issubclass(current, BaseModel):
            fields = current.model_fields
            if part not in fields:
                raise ScenarioError(unknown_key(part, list(fields)))
            current = fields[part].annotation
            if get_origin(current) is tuple and isinstance(get_args(current)[0], type) and issubclass(
                get_args(current)[0], BaseModel
            ):
                current = get_args(current)[0]
        elif get_origin(current) is dict:
            current = get_args(current)[1]
        else:
            raise ScenarioError(f"{part!r} goes below a value that has no parameters inside")


def apply_set(raw: dict[str, Any], assignment: str) -> None:
    """Apply one ``dotted.path=value`` to the raw scenario dict."""
    path, sep, text = assignment.partition("=")
    path = path.strip()
    if not sep or not path:
        raise ScenarioError(f"--set {assignment!r}: expected dotted.path=value, e.g. service.enabled=false")
    parts = path.split(".")
    schema_parts = list(parts)
    node: Any = raw
    for i, part in enumerate(parts[:-1]):
        if isinstance(node, list):
            schema_parts[i] = "*"
            node = node[_item_index(node, part, f"--set {path}")]
        else:
            if part in ("segments", "providers") and part not in node:
                node[part] = [m.model_dump(mode="json") for m in getattr(Scenario(), part)]
            node = node.setdefault(part, {})
        if not isinstance(node, (dict, list)):
            raise ScenarioError(f"--set {path}: {part!r} is a value, not a group")
    last = parts[-1]
    try:
        _schema_at(Scenario, [p for p in schema_parts if p != "*"])
    except ScenarioError as exc:
        raise ScenarioError(f"--set {path}: {exc}") from None
    if isinstance(node, list):
        node[_item_index(node, last, f"--set {path}")] = parse_value(text)
    else:
        node[last] = parse_value(text)


def provider_tables(raw: dict[str, Any], source: str) -> list[dict[str, Any]]:
    """The providers as a list of tables; anything else (``providers = 3``) is an error naming what is allowed."""
    providers = raw.get("providers", [])
    if not isinstance(providers, list):
        raise ScenarioError(f"{source}: providers = {providers!r}: must be a list of provider tables "
                            "([[providers]] in a file), 2 to 12 of them")
    for i, prov in enumerate(providers):
        if not isinstance(prov, dict):
            raise ScenarioError(f"{source}: providers.{i} = {prov!r}: must be a table with name, share, "
                                "strategies, levers")
    return providers


def _provider_label(i: int, prov: dict[str, Any]) -> str:
    """``providers.A`` when the provider has a name, as --set and validation errors name it; else its index."""
    name = prov.get("name")
    return f"providers.{name if isinstance(name, str) else i}"


def _resolve_providers(raw: dict[str, Any], source: str) -> None:
    base = Levers().model_dump(mode="json")
    for i, prov in enumerate(provider_tables(raw, source)):
        where = f"{source}: {_provider_label(i, prov)}"
        names = prov.get("strategies", [])
        if isinstance(names, str):
            names = [names]
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise ScenarioError(f"{where}.strategies = {names!r}: must be a list of strategy names; allowed: "
                                f"{', '.join(STRATEGIES)}")
        explicit = prov.get("levers", {})
        if not isinstance(explicit, dict):
            raise ScenarioError(f"{where}.levers = {explicit!r}: must be a table of lever values")
        try:
            prov["levers"] = resolve_levers(base, names, explicit)
        except KeyError as exc:
            raise ScenarioError(
                f"{where}.strategies = {exc.args[0]!r}: unknown strategy; allowed: {', '.join(STRATEGIES)}"
            ) from None
        except TypeError:
            raise ScenarioError(f"{where}.levers: a scaled lever is not a number") from None
        prov["strategies"] = list(names)


def _format_error(err: Mapping[str, Any], raw: dict[str, Any]) -> str:
    """One line per pydantic error, naming providers and segments by name as --set does."""
    node: Any = raw
    names = []
    for part in err["loc"]:
        in_list = isinstance(node, list) and isinstance(part, int) and part < len(node)
        if in_list and isinstance(node[part], dict) and isinstance(node[part].get("name"), str):
            names.append(node[part]["name"])
        else:
            names.append(str(part))
        node = node[part] if in_list or (isinstance(node, dict) and part in node) else None
    path = ".".join(names) or "scenario"
    kind = err["type"]
    if kind == "extra_forbidden":
        try:
            _schema_at(Scenario, [p for p in err["loc"] if isinstance(p, str)])
        except ScenarioError as exc:
            return f"{path}: {exc}"
    if kind == "missing":
        return f"{path}: required but missing"
    msg = err["msg"].replace("Value error, ", "")
    if "input" in err and kind != "value_error":
        return f"{path} = {err['input']!r}: {msg}"
    return f"{path}: {msg}"


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario, where it came from, and the ``--set`` and ``--strategy`` flags it was loaded with."""

    scenario: Scenario
    source: str
    raw: dict[str, Any]
    sets: tuple[str, ...] = ()
    strategies: tuple[str, ...] = ()

    @property
    def hash(self) -> str:
        return scenario_hash(self.scenario)


def scenario_hash(scenario: Scenario) -> str:
    text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def build(raw: dict[str, Any], source: str = "<dict>", resolve: bool = True) -> Scenario:
    """Validate a raw scenario dict into a Scenario, first applying strategy presets to levers.

    ``resolve=False`` is for dicts dumped from a Scenario, whose levers already include them.
    """
    if resolve:
        as_given = copy.deepcopy(raw)
        for prov in provider_tables(as_given, source):
            prov["strategies"] = []
        _validate(as_given, source, resolve=True)  # report the user's own values before presets scale them
    return _validate(copy.deepcopy(raw), source, resolve)


def _validate(raw: dict[str, Any], source: str, resolve: bool) -> Scenario:
    if resolve:
        _resolve_providers(raw, source)
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        lines = [_format_error(e, raw) for e in exc.errors()]
        raise ScenarioError(f"{source}: " + f"\n{source}: ".join(lines)) from None


def load(
    source: str | Path | Scenario | dict[str, Any] | None = None,
    sets: list[str] | tuple[str, ...] = (),
    strategies: list[str] | tuple[str, ...] = (),
    months: int | None = None,
    customers: int | None = None,
) -> LoadedScenario:
    """Read a scenario, apply overrides in CLI order of precedence, and validate it."""
    resolve = not isinstance(source, Scenario)
    if isinstance(source, Scenario):
        if strategies:
            raise ScenarioError("--strategy: strategies apply to a scenario file or name, not to a built Scenario")
        raw = source.model_dump(mode="json")
        label = source.meta.name
    elif isinstance(source, dict):
        raw = copy.deepcopy(source)
        label = "<dict>"
    else:
        path = scenario_path(source)
        raw = read_toml(path)
        label = str(path) if Path(str(source or "")).is_file() else path.stem
    for assignment in sets:
        apply_set(raw, assignment)
    _apply_strategy_flags(raw, strategies, label)
    market = raw.setdefault("market", {})
    if not isinstance(market, dict):
        raise ScenarioError(f"{label}: market = {market!r}: must be a table of market settings ([market] in a file)")
    if months is not None:
        market["months"] = months
    if customers is not None:
        market["customers"] = customers
    return LoadedScenario(build(raw, label, resolve), label, raw, tuple(sets), tuple(strategies))


def to_toml(loaded: LoadedScenario) -> str:
    """The scenario as a TOML file that ``load`` turns back into the same Scenario (the same hash).

    Every value is written out, so the file does not depend on defaults, except a provider's
    levers: each keeps only its own explicit ones, because loading applies the presets again,
    and a ``--strategy`` given with the written file must act on it as on the original.
    """
    import tomli_w

    document = loaded.scenario.model_dump(mode="json")
    raw_providers = loaded.raw.get("providers", [])
    for i, provider in enumerate(document["providers"]):
        raw = raw_providers[i] if i < len(raw_providers) and isinstance(raw_providers[i], dict) else {}
        provider["levers"] = raw.get("levers", {})
    return tomli_w.dumps(document)


def _apply_strategy_flags(raw: dict[str, Any], flags: list[str] | tuple[str, ...], source: str) -> None:
    """``--strategy A=low-effort`` replaces provider A's strategies; repeat the flag to combine."""
    chosen: dict[str, list[str]] = {}
    for flag in flags:
        name, sep, strategy = flag.partition("=")
        if not sep or not name or not strategy:
            raise ScenarioError(f"--strategy {flag!r}: expected PROVIDER=STRATEGY, e.g. A=low-effort")
        if strategy not in STRATEGIES:
            raise ScenarioError(f"--strategy {flag!r}: unknown strategy {strategy!r}; allowed: {', '.join(STRATEGIES)}")
        chosen.setdefault(name, []).append(strategy)
    if not chosen:
        return
    if "providers" not in raw:
        raw["providers"] = [m.model_dump(mode="json", exclude={"levers"}) for m in Scenario().providers]
    providers = provider_tables(raw, source)
    for name, names in chosen.items():
        index = _item_index(providers, name, f"--strategy {name}={names[0]} ({source})", noun="provider")
        providers[index]["strategies"] = names


def describe_parameters(scenario: Scenario) -> list[dict[str, str]]:
    """Every parameter of a scenario by dotted path: value, allowed values and meaning."""
    rows: list[dict[str, str]] = []
    _walk(scenario, "", rows)
    return rows


def schema_paths() -> list[str]:
    """Every parameter path of the schema, ``*`` standing for a provider or segment."""
    rows: list[dict[str, str]] = []
    _walk(Scenario(), "", rows, wildcard=True)
    return sorted({r["path"] for r in rows})


def _walk(model: BaseModel, prefix: str, rows: list[dict[str, str]], wildcard: bool = False) -> None:
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        path = f"{prefix}{name}"
        if isinstance(value, BaseModel):
            _walk(value, path + ".", rows, wildcard)
        elif isinstance(value, tuple) and value and isinstance(value[0], BaseModel):
            for i, item in enumerate(value):
                key = "*" if wildcard else getattr(item, "name", str(i))
                _walk(item, f"{path}.{key}.", rows, wildcard)
                if wildcard:
                    break
        else:
            rows.append({"path": path, "value": _show(value), "allowed": allowed(info),
                         "meaning": info.description or ""})


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_show(v)}" for k, v in value.items()) + "}"
    return repr(value) if isinstance(value, str) else f"{value:g}" if isinstance(value, float) else str(value)


def field_range(info: Any) -> tuple[float, float, bool, bool]:
    """(low, high, low is open, high is open) of a numeric field; infinite where the schema sets no end."""
    low, high, low_open, high_open = -math.inf, math.inf, False, False
    for m in info.metadata:
        if getattr(m, "ge", None) is not None:
            low = m.ge
        if getattr(m, "gt", None) is not None:
            low, low_open = m.gt, True
        if getattr(m, "le", None) is not None:
            high = m.le
        if getattr(m, "lt", None) is not None:
            high, high_open = m.lt, True
    return low, high, low_open, high_open


def allowed(info: Any) -> str:
    """Human text for a field's constraints, from its pydantic metadata."""
    ann = info.annotation
    if get_origin(ann) is Literal:
        return " | ".join(str(a) for a in get_args(ann))
    if ann is bool:
        return "true | false"
    if ann is str:
        return "text"
    lo, hi, lo_open, hi_open = field_range(info)
    kind = "integer" if ann is int else "number"
    if get_origin(ann) is tuple:
        return "list of strategy names" if get_args(ann)[0] is str else "list of numbers >= 0"
    if get_origin(ann) is dict:
        return "table of numbers >= 0"
    if math.isinf(lo) and math.isinf(hi):
        return kind
    left = "(-inf" if math.isinf(lo) else f"({lo:g}" if lo_open else f"[{lo:g}"
    right = "inf)" if math.isinf(hi) else f"{hi:g})" if hi_open else f"{hi:g}]"
    return f"{kind} in {left}, {right}"
