"""Drive churnsim from EMA Workbench: strategies are levers, market conditions uncertainties, KPIs outcomes.

``churnsim.simulate`` is a plain function of its arguments (no global state, ``rng``
required), so EMA Workbench's ``ReplicatorModel`` can call it directly: each replication
passes its own ``{"rng": seed}``, uncertainties reach the scenario by dotted path through
``variable_name`` (or ``__`` for the dots), and outcomes are read from the flat KPI dict the same way.

    pip install 'churnsim[ema]'
    python experiments/ema_example.py --scenarios 20 --replications 5
"""

from __future__ import annotations

import argparse

import numpy as np
from ema_workbench import (
    CategoricalParameter,
    Constant,
    RealParameter,
    ReplicatorModel,
    Sample,
    ScalarOutcome,
    SequentialEvaluator,
)

import churnsim


def churn_model(strategy_a: str, rng: int, **params: object) -> dict[str, float]:
    """EMA passes a lever as one value; churnsim takes strategies per provider."""
    return churnsim.simulate(strategies={"A": strategy_a}, rng=rng, **params)


def build(replications: int, customers: int, months: int, seed: int) -> ReplicatorModel:
    model = ReplicatorModel("churnsim", function=churn_model)
    model.uncertainties = [
        RealParameter("reach_bad", 3, 15, variable_name="word_of_mouth.reach_bad"),
        RealParameter("downturn_sensitivity", 1.0, 2.5, variable_name="economy.price_sensitivity_multiplier"),
        RealParameter("switch_rate", 0.05, 0.2, variable_name="phase_out.switch_rate"),
    ]
    model.levers = [CategoricalParameter("strategy_a", ["low-effort", "over-delivery", "price-cut"])]
    model.constants = [Constant("scenario", "electricity"), Constant("customers", customers),
                       Constant("months", months), Constant("economy__enabled", True)]
    model.outcomes = [
        ScalarOutcome("market_annual_churn", variable_name="market.annual_churn", function=np.mean),
        ScalarOutcome("a_annual_churn", variable_name="A.annual_churn", function=np.mean),
        ScalarOutcome("a_profit", variable_name="A.profit", function=np.mean),
    ]
    seeds = np.random.SeedSequence(seed).generate_state(replications, np.uint32)
    model.replications = [{"rng": int(s)} for s in seeds]  # common random numbers across policies
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=20)
    parser.add_argument("--replications", type=int, default=5)
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    model = build(args.replications, args.customers, args.months, args.seed)
    policies = [Sample(name, strategy_a=name) for name in ("low-effort", "price-cut")]
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=args.scenarios, policies=policies)
    print(f"{args.scenarios} scenarios x {len(policies)} policies x {args.replications} replications")
    experiments = experiments.assign(**outcomes)
    print(experiments.groupby("policy")[list(outcomes)].mean().to_string(float_format=lambda v: f"{v:,.4g}"))


if __name__ == "__main__":
    main()
