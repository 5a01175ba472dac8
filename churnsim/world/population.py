"""The customers at month 0: traits and starting state, drawn once from the scenario.

Both engines start from the same columns, so their populations have the same
distribution by construction (the agent engine makes one Customer per row).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from churnsim.schema.params import CHANNELS, Scenario

PROSPECT = -1
PAPER, E_INVOICE = CHANNELS.index("paper"), CHANNELS.index("e_invoice")  # codes in the channel column
INITIAL_TENURE_MAX = 60


@dataclass
class Population:
    """Customer state as a struct of arrays (compact dtypes: about 30 bytes a customer)."""

    provider: np.ndarray  # int8, PROSPECT outside the market
    stage: np.ndarray  # int8: 0 chosen, 1 re-chosen, 2 embedded
    looking: np.ndarray  # bool: in the look-around stage of the phase-out effect
    tenure: np.ndarray  # int16 months with the current provider
    binding_left: np.ndarray  # int16 months left on a binding contract
    bundled: np.ndarray  # bool
    channel: np.ndarray  # int8 index into CHANNELS
    sensitivity: np.ndarray  # float32 price sensitivity
    expectation: np.ndarray  # float32
    tolerance: np.ndarray  # float32 effort tolerance
    prefers_human: np.ndarray  # bool
    life_churn: np.ndarray  # float32 monthly life-event churn probability
    segment: np.ndarray  # int8
    initial_provider: np.ndarray  # int8
    stayed: np.ndarray  # bool: never left the initial provider

    def __len__(self) -> int:
        return len(self.provider)

    def row(self, i: int) -> dict[str, object]:
        return {f.name: getattr(self, f.name)[i].item() for f in fields(self)}


def _truncated_normal(rng: np.random.Generator, mean: float, sd: float, size: int, low: float | None) -> np.ndarray:
    values = rng.normal(mean, sd, size) if sd > 0 else np.full(size, mean)
    return np.maximum(values, low) if low is not None else values


def sample_population(scenario: Scenario, n: int, rng: np.random.Generator) -> Population:
    """Draw n customers: segment traits, provider by market share, stage, tenure, contracts."""
    seg_share = np.array([s.share for s in scenario.segments], dtype=float)
    segment = rng.choice(len(seg_share), size=n, p=seg_share / seg_share.sum()).astype(np.int8)
    sensitivity = np.empty(n, np.float32)
    expectation = np.empty(n, np.float32)
    tolerance = np.empty(n, np.float32)
    prefers_human = np.empty(n, bool)
    life_churn = np.empty(n, np.float32)
    channel = np.empty(n, np.int8)
    for k, seg in enumerate(scenario.segments):
        idx = np.flatnonzero(segment == k)
        m = len(idx)
        sensitivity[idx] = _truncated_normal(rng, seg.price_sensitivity.mean, seg.price_sensitivity.sd, m, 0.0)
        expectation[idx] = _truncated_normal(rng, seg.expectation.mean, seg.expectation.sd, m, None)
        tolerance[idx] = _truncated_normal(rng, seg.effort_tolerance.mean, seg.effort_tolerance.sd, m, 0.05)
        prefers_human[idx] = rng.random(m) < seg.prefers_human
        life_churn[idx] = rng.beta(seg.baseline_churn.alpha, seg.baseline_churn.beta, m)
        mix = np.array([seg.payment_mix.get(c, 0.0) for c in CHANNELS])
        channel[idx] = rng.choice(len(CHANNELS), size=m, p=mix / mix.sum())

    shares = np.array([p.share for p in scenario.providers], dtype=float)
    provider = rng.choice(len(shares), size=n, p=shares / shares.sum()).astype(np.int8)
    provider[rng.random(n) < scenario.market.prospect_share] = PROSPECT
    customer = provider >= 0

    ladder = scenario.ladder
    stage_p = np.array(ladder.initial_shares) if ladder.enabled else np.array([1.0, 0.0, 0.0])
    stage = rng.choice(3, size=n, p=stage_p / stage_p.sum()).astype(np.int8)
    stage[~customer] = 0
    tenure = rng.integers(0, INITIAL_TENURE_MAX, n).astype(np.int16)
    tenure[~customer] = 0

    own = np.maximum(provider, 0)
    levers = [p.levers for p in scenario.providers]
    uptake = np.array([lv.binding_uptake for lv in levers])[own]
    months = np.array([lv.binding_months for lv in levers])[own]
    bound = customer & scenario.rewards.enabled & (rng.random(n) < uptake)
    binding_left = np.where(bound, rng.integers(1, 1 << 14, n) % months + 1, 0).astype(np.int16)
    bundle = np.array([lv.bundle_share for lv in levers])[own]
    bundled = customer & scenario.rewards.enabled & (rng.random(n) < bundle)

    looking = customer & scenario.phase_out.enabled & (rng.random(n) < scenario.phase_out.initial_looking)
    return Population(
        provider=provider, stage=stage, looking=looking, tenure=tenure, binding_left=binding_left,
        bundled=bundled, channel=channel, sensitivity=sensitivity, expectation=expectation, tolerance=tolerance,
        prefers_human=prefers_human, life_churn=life_churn, segment=segment, initial_provider=provider.copy(),
        stayed=customer.copy(),
    )
