"""benchmarks/results.py keeps one section per benchmark command in RESULTS.md."""

import importlib.util
from pathlib import Path

spec = importlib.util.spec_from_file_location("results", Path(__file__).parents[1] / "benchmarks" / "results.py")
results = importlib.util.module_from_spec(spec)
spec.loader.exec_module(results)


def test_a_new_command_gets_a_section_under_the_header() -> None:
    text = results.replace_section("", "python benchmarks/a.py", "figures a")
    assert text.startswith("# Benchmark results\n")
    assert text.endswith("## `python benchmarks/a.py`\n\nfigures a\n")


def test_running_a_command_again_replaces_only_its_own_section() -> None:
    text = results.replace_section("", "python benchmarks/a.py", "old a")
    text = results.replace_section(text, "python benchmarks/b.py --large", "b")
    text = results.replace_section(text, "python benchmarks/a.py", "new a")
    assert "old a" not in text
    assert text.count("## `python benchmarks/a.py`") == 1
    assert text.index("new a") < text.index("## `python benchmarks/b.py --large`\n\nb\n")
    assert results.replace_section(text, "python benchmarks/a.py", "new a") == text


def test_a_command_with_arguments_is_its_own_section() -> None:
    text = results.replace_section("", "python benchmarks/a.py", "plain")
    text = results.replace_section(text, "python benchmarks/a.py --large", "large")
    assert "plain" in text and "large" in text
