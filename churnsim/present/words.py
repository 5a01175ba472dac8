"""Counts and articles in the sentences churnsim prints, so that a run of one month reads "1 month"."""

from __future__ import annotations


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``count`` with the noun in the number it needs: 1 replication, 2 replications, 1 strategy, 2 strategies."""
    return f"{count:,} {noun if count == 1 else nouns or noun + 's'}"


def with_article(word: str) -> str:
    """``word`` after "a" or "an" by its first letter: a mobile market, an electricity market."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"
