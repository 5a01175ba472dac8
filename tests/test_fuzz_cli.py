"""Property-based fuzzing of what a user can type: every scenario file and --set ends in exit 0 or 2.

Hypothesis writes scenario files (random bytes, random text, TOML built from the schema's own keys
with values of every type, and the built-in files as they are) and --set / --strategy flags, then
runs ``churnsim run`` on a tiny market. Whatever it tries, the command must succeed or refuse
cleanly with exit code 2, never with a traceback, and a refused run must leave no output behind.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from churnsim.cli.main import cli
from churnsim.schema.params import Scenario
from churnsim.schema.scenario import builtin_scenarios, schema_paths
from churnsim.schema.strategies import STRATEGIES

GROUPS = [name for name, info in Scenario.model_fields.items()
          if isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel)]
FIELDS = sorted({path.rsplit(".", 1)[-1] for path in schema_paths()})
PATHS = [path.replace("*", "A") for path in schema_paths()]

names = st.sampled_from(FIELDS) | st.text(max_size=8)
scalars = (st.integers(-10**6, 10**6) | st.floats(allow_nan=True, allow_infinity=True) | st.booleans()
           | st.text(max_size=10) | st.sampled_from(list(STRATEGIES)))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=3),
                      max_leaves=6)
providers = st.lists(st.fixed_dictionaries(
    {"name": st.sampled_from(["A", "B", "C"]) | st.text(max_size=3)},
    optional={"share": scalars, "strategies": st.lists(st.sampled_from(list(STRATEGIES)) | st.text(max_size=5),
                                                       max_size=2) | scalars,
              "levers": st.dictionaries(names, values, max_size=3) | scalars}), max_size=4)
scenarios = st.dictionaries(st.sampled_from(GROUPS) | names, st.dictionaries(names, values, max_size=4) | values,
                            max_size=4).flatmap(
    lambda raw: (providers | values).map(lambda given: raw | {"providers": given}) | st.just(raw))


def toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    return '"' + "".join(f"\\u{ord(c):04x}" if ord(c) < 0x20 or ord(c) == 0x7F or c in '"\\' else c
                         for c in text) + '"'


def toml_value(value: Any) -> str:
    """One value as TOML writes it."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(map(toml_value, value)) + "]"
    return "{" + ", ".join(f"{toml_string(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


def toml_text(raw: dict[str, Any]) -> str:
    """A scenario dict as a TOML file: plain keys first, then each table under its header."""
    plain = [f"{toml_string(k)} = {toml_value(v)}" for k, v in raw.items() if not isinstance(v, dict)]
    tables = [f"[{toml_string(k)}]\n" + "".join(f"{toml_string(f)} = {toml_value(v)}\n" for f, v in v.items())
              for k, v in raw.items() if isinstance(v, dict)]
    return "\n".join(plain) + "\n" + "".join(tables)


files = (st.binary(max_size=40) | st.text(max_size=40).map(str.encode)
         | st.sampled_from(sorted(builtin_scenarios().values())).map(Path.read_bytes)
         | scenarios.map(lambda raw: toml_text(raw).encode())
         | scenarios.map(lambda raw: b"\xef\xbb\xbf" + toml_text(raw).encode()))
assignments = (st.builds(lambda path, value: f"{path}={value}", st.sampled_from(PATHS), scalars.map(toml_value))
               | st.builds(lambda path, value: f"{path}={value}", names, st.text(max_size=8)) | st.text(max_size=12))
flags = st.builds(lambda provider, name: f"{provider}={name}", st.sampled_from(["A", "B", "Z", "0", ""]),
                  st.sampled_from(list(STRATEGIES)) | st.text(max_size=5))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(file=files, sets=st.lists(assignments, max_size=2), strategies=st.lists(flags, max_size=2))
def test_any_scenario_file_and_override_ends_in_exit_0_or_2(file: bytes, sets: list[str],
                                                           strategies: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path, out = Path(tmp) / "fuzz.toml", Path(tmp) / "out"
        path.write_bytes(file)
        args = ["run", str(path), "--months", "1", "--customers", "30", "--no-plots", "--out", str(out),
                "--set", "market.burn_in=0"]
        for assignment in sets:
            args += ["--set", assignment]
        for flag in strategies:
            args += ["--strategy", flag]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code in (0, 2), f"{args}\n{file!r}\n{result.output}\n{result.exception!r}"
        assert "Traceback" not in result.output
        if result.exit_code == 2:
            assert result.output.startswith("Error: ") and not out.exists()
