"""The vector engine's own invariants, its samplers, and the network generators it runs on."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse, stats

from churnsim import metrics, network, rules, vector
from churnsim.engines import AUTO_AGENT_LIMIT, create_model, engine_class
from churnsim.metrics import T
from churnsim.scenario import load
from churnsim.vector import CHUNK, CLASSES, VectorChurnModel, below, poisson_counts, uniform_offsets

OPEN_MARKET = ("market.prospect_share=0.2", "market.entry_rate=0.03", "market.exit_rate=0.02",
               "economy.enabled=true", "economy.downturn_month=4")
EVERY_PATH = ("A=price-rise-notice", "B=price-rise-no-notice", "B=digital-payment", "C=price-cut",
              "C=spam-offers", "D=loyalty-rewards", "D=retention-desk")


def vector_model(customers: int = 3000, months: int = 18, sets: tuple[str, ...] = OPEN_MARKET,
                 strategies: tuple[str, ...] = EVERY_PATH, seed: int = 7, threads: int = 1) -> VectorChurnModel:
    spec = load("electricity", sets=sets, strategies=strategies, customers=customers, months=months).scenario
    model = create_model(spec, rng=seed, engine="vector", threads=threads)
    assert isinstance(model, VectorChurnModel)
    return model


@pytest.fixture(params=[1, 3], ids=["one shard", "three shards"])
def shards(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Run the test on one shard, and again with the population cut into three (as a large one would be)."""
    if request.param > 1:
        monkeypatch.setattr(vector, "SHARD", 1000)
    return request.param


def test_customers_conserved_and_head_counts_match_a_recount_every_month(shards: int) -> None:
    model = vector_model()
    assert len(model.shards) == shards
    n = model.population_size
    for _ in range(model.spec.market.months):
        model.step()
        provider, stage, looking, stayed = model.state_columns()
        recount = metrics.stocks(provider, stage, looking, stayed, model.providers)
        kept = model.stocks.as_dict()
        for key in recount:
            np.testing.assert_array_equal(kept[key], recount[key], err_msg=key)
        assert kept["customers"].sum() + (provider < 0).sum() == n
        inside = provider >= 0
        paper = np.bincount(provider[inside & (model.channel == 0)], minlength=model.providers)
        np.testing.assert_array_equal(model.stocks.paper, paper)
        classes = np.bincount(provider[inside].astype(np.intp) * CLASSES + model.price_class[inside],
                              minlength=model.providers * CLASSES).reshape(model.providers, CLASSES)
        np.testing.assert_array_equal(model.stocks.price_class, classes)
        assert not (looking & ~inside).any() and not (stage[~inside] != 0).any()
    flows = model.timeseries.groupby("month")[["entered", "exited"]].sum()
    assert flows["entered"].sum() > 0 and flows["exited"].sum() > 0


def test_cached_quiet_month_state_equals_a_fresh_computation(shards: int) -> None:
    """The engine recomputes cached hazards only for customers whose state changed: none may be missed."""
    model = vector_model(customers=2400, months=16)
    assert len(model.shards) == shards
    for _ in range(model.spec.market.months):
        model.step()
        cached = {name: getattr(model, name).copy() for name in ("hazard", "weight", "wsens", "conf", "pleased",
                                                                 "listener")}
        inside = model.provider >= 0  # a prospect's price class is never read
        fresh = np.concatenate([model._classify(z, slice(None)) for z in model.shards])
        np.testing.assert_array_equal(model.price_class[inside], fresh[inside])
        for z in model.shards:
            for start in range(0, z.n, CHUNK):
                model._refresh(z, slice(start, start + CHUNK))
                model._refresh_gap(z, slice(start, start + CHUNK))
        for name, values in cached.items():
            np.testing.assert_array_equal(getattr(model, name), values, err_msg=name)


def test_good_news_heard_matches_the_reach_tallies_for_any_set_of_customers(shards: int) -> None:
    model = vector_model(customers=2000, months=3)
    assert len(model.shards) == min(shards, 2)
    n, rng = model.population_size, np.random.default_rng(3)
    for _ in range(3):
        model.step()
        everyone = model._heard_good(np.arange(n))
        np.testing.assert_array_equal(everyone.sum(axis=0), model.tally[T.wom_good_reached])
        assert everyone.sum() > 0 and not model.mark.any()
        some = rng.choice(n, 300, replace=False)
        np.testing.assert_array_equal(model._heard_good(some), everyone[some])
        assert not model.mark.any()
        assert model._heard_good(some[:0]).shape == (0, model.providers)


def test_same_seed_same_run_and_different_seed_differs() -> None:
    def run(seed: int) -> tuple[object, ...]:
        model = vector_model(customers=1500, months=12, seed=seed)
        for _ in range(12):
            model.step()
        return model.timeseries, *model.state_columns(), model.clock

    first, again, other = run(11), run(11), run(12)
    assert first[0].equals(again[0]) and not first[0].equals(other[0])
    for a, b in zip(first[1:], again[1:], strict=True):
        np.testing.assert_array_equal(a, b)


def test_outputs_do_not_depend_on_the_thread_count(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shards are fixed by the population size and draw from their own streams: threads only change the timing."""
    monkeypatch.setattr(vector, "SHARD", 700)

    def run(threads: int) -> tuple[object, ...]:
        model = vector_model(customers=3000, months=12, threads=threads)
        assert len({id(z.rng) for z in model.shards}) == len(model.shards) == 5
        for _ in range(12):
            model.step()
        return model.timeseries, *model.state_columns(), model.clock, model.life_clock

    one, two, four = run(1), run(2), run(4)
    assert one[0].equals(two[0]) and one[0].equals(four[0])
    for a, b, c in zip(one[1:], two[1:], four[1:], strict=True):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)


def test_each_shards_messages_go_to_its_tellers_acquaintances(monkeypatch: pytest.MonkeyPatch) -> None:
    """A shard's tellers are its own customers: indices into the whole population are its offset on."""
    monkeypatch.setattr(vector, "SHARD", 1000)
    model = vector_model(customers=3000, months=1)
    model.step()
    assert model.csr is not None
    indptr, indices = model.csr.indptr, model.csr.indices
    for z in model.shards:
        told = np.flatnonzero(z.provider >= 0)[::20]
        acquaintances = np.concatenate([indices[indptr[i]:indptr[i + 1]] for i in told + z.lo])
        (bad, _, _), (charged, _, (good, _)) = model._tell(
            z, [(told, z.provider[told], 3.0, T.wom_bad), (told, z.provider[told], 3.0, T.wom_good)])
        assert len(good) > 2 * len(told) and len(bad) > 0 and len(charged) > 0
        assert np.isin(np.concatenate([bad, charged, good]), acquaintances).all()


def test_choosers_of_every_shard_read_their_own_good_news(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each shard's choices read what its own choosers heard; they are those who joined a provider that month."""
    monkeypatch.setattr(vector, "SHARD", 1000)
    model = vector_model(customers=3000, months=6)
    chosen: list[np.ndarray] = []
    heard_in_all = 0.0
    change = model._change

    def spy(z: vector.Shard, plan: vector.Plan, heard: np.ndarray) -> vector.Tellers:
        nonlocal heard_in_all
        choosers = plan.choosers + z.lo
        np.testing.assert_array_equal(heard, model._heard_good(choosers))
        chosen.append(choosers)
        heard_in_all += heard.sum()
        return change(z, plan, heard)

    monkeypatch.setattr(model, "_change", spy)
    for _ in range(6):
        model.step()
        joined = np.flatnonzero((model.tenure == 0) & (model.provider >= 0))
        assert len(joined) > 0 and len(chosen) == 3
        np.testing.assert_array_equal(np.sort(np.concatenate(chosen)), joined)
        chosen.clear()
    assert heard_in_all > 0


def test_threads_must_be_a_positive_whole_number() -> None:
    spec = load("electricity", customers=100, months=1).scenario
    for bad in (0, -2, 1.5):
        with pytest.raises(ValueError, match=rf"threads {bad!r}: allowed: a whole number of at least 1"):
            create_model(spec, rng=1, engine="vector", threads=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("mechanism", ["ladder", "phase_out", "service", "word_of_mouth", "payment", "offers",
                                       "rewards"])
def test_runs_with_each_mechanism_off(mechanism: str) -> None:
    model = vector_model(customers=1000, months=6, sets=(*OPEN_MARKET, f"{mechanism}.enabled=false"))
    for _ in range(6):
        model.step()
    assert model.timeseries["customers"].groupby(model.timeseries["month"]).sum().max() <= 1000


def test_integrated_random_pressures_give_the_agent_rules_chance_of_looking() -> None:
    """The cached hazard of price ads, comparison sites and the promo against the agent's own draws.

    For customers of every provider and price class, U.price_seen, U.whose_ad and U.promo_seen
    are drawn as the agent engine draws them and run through the same rules; exp(-hazard) must be
    the mean of exp(-weight x pressure), to within five standard errors of that mean.
    """
    model = vector_model(customers=3000, months=13)
    for _ in range(13):  # past the price changes, so the tables are not the month-0 ones
        model.step()
    c, po, ref, tb = model.conditions, model.spec.phase_out, model.spec.market.reference_price, model.table
    key = model.provider.astype(np.intp) * CLASSES + model.price_class
    deciding = np.flatnonzero(model.weight > 0)
    picked = np.unique(key[deciding], return_index=True)[1]
    customers = deciding[picked]
    assert len(customers) >= 10 and len(np.unique(model.provider[customers])) == model.providers
    rng, draws = np.random.default_rng(5), 200_000
    for i in customers:
        p, sens, weight = model.provider[i], model.sensitivity[i] * model.sens_factor, model.weight[i]
        paid = model.paid[key[i]]
        u = rng.random((3, draws))
        seen = np.where(u[0] < po.comparison_site_rate, c.best_alternative[p], paid)
        ad = (u[0] >= po.comparison_site_rate) & (u[0] < po.comparison_site_rate + c.ad_seen[p])
        seen[ad] = c.new_customer_price[rules.pick(c.ad_weights[p], u[1][ad])]
        pressure = rules.price_gap_pressure(paid, seen, sens, ref, po.ad_weight)
        sees_promo = rules.happens(u[2], po.promo_visibility) & (model.tenure[i] >= tb.promo_months[p])
        pressure += sees_promo * rules.unfair_promo_pressure(tb.promo_discount[p], sens, po.promo_unfairness)
        survive = np.exp(-weight * pressure)
        hazard = model._random_hazard(key[i:i + 1], model.wsens[i:i + 1])[0]
        assert abs(np.exp(-hazard) - survive.mean()) <= 5 * survive.std() / np.sqrt(draws) + 1e-6, (i, p, key[i])
    hazards = model._random_hazard(key[customers], model.wsens[customers])
    assert (hazards >= 0).all() and (hazards > 0).sum() >= len(customers) // 2  # the cheapest see no cheaper price


@pytest.mark.parametrize("rate", [0.003, 0.05, 0.3, 0.9])
def test_below_finds_each_index_with_the_rate_and_a_uniform_under_it(rate: float) -> None:
    rng = np.random.default_rng(1)
    n, reps = 20_000, 20
    hits = np.zeros(n)
    for _ in range(reps):
        idx, u = below(rng, rate, n)
        assert np.all(np.diff(idx) > 0) and idx.min(initial=0) >= 0 and idx.max(initial=0) < n
        assert np.all((u >= 0) & (u < rate))
        hits[idx] += 1
    total = n * reps
    assert abs(hits.sum() - total * rate) < 5 * np.sqrt(total * rate * (1 - rate))
    halves = hits[: n // 2].sum(), hits[n // 2:].sum()
    assert abs(halves[0] - halves[1]) < 5 * np.sqrt(hits.sum())


@pytest.mark.parametrize("mean", [0.5, 3.0, 10.0, 30.0, 60.0])
def test_poisson_counts_have_the_poisson_distribution(mean: float) -> None:
    draws = poisson_counts(np.random.default_rng(2), mean, 200_000)
    k = np.arange(draws.max() + 1)
    expected = stats.poisson.pmf(k, mean) * len(draws)
    observed = np.bincount(draws, minlength=len(k))
    keep = expected > 20
    chi2 = ((observed[keep] - expected[keep]) ** 2 / expected[keep]).sum()
    assert stats.chi2.sf(chi2, keep.sum() - 1) > 1e-4


def test_uniform_offsets_are_uniform_below_each_size() -> None:
    size = np.repeat(np.array([1, 3, 10, 1000]), 100_000)
    offsets = uniform_offsets(np.random.default_rng(3), size)
    assert np.all((offsets >= 0) & (offsets < size))
    for s in (3, 10):
        counts = np.bincount(offsets[size == s], minlength=s)
        assert stats.chisquare(counts).pvalue > 1e-4


@pytest.mark.parametrize("kind, nodes, degree", [
    ("small_world", 300, 6), ("small_world", 20_000, 10), ("small_world", 5, 4), ("random", 300, 6),
    ("random", 20_000, 10),
])
def test_networks_are_simple_symmetric_and_have_the_mean_degree(kind: str, nodes: int, degree: int) -> None:
    csr = network.build(kind, nodes, degree, 0.2, np.random.default_rng(4))
    assert csr is not None and csr.nodes == nodes
    matrix = sparse.csr_matrix((np.ones(len(csr.indices)), csr.indices, csr.indptr), shape=(nodes, nodes))
    assert (matrix != matrix.T).nnz == 0  # symmetric
    assert matrix.diagonal().sum() == 0  # no self-loops
    assert matrix.max() == 1  # no repeated acquaintance
    for i in range(0, nodes, max(1, nodes // 50)):  # rows sorted
        row = csr.indices[csr.indptr[i]:csr.indptr[i + 1]]
        assert np.all(np.diff(row) > 0)
    target = min(degree, nodes - 1 - (nodes - 1) % 2)  # what build asks for; repeats and self-loops are dropped
    assert target * 0.95 <= csr.degree().mean() <= target


def test_small_world_without_rewiring_is_the_ring_lattice() -> None:
    csr = network.small_world(1000, 6, 0.0, np.random.default_rng(5))
    assert np.all(csr.degree() == 6)
    np.testing.assert_array_equal(csr.indices[csr.indptr[10]:csr.indptr[11]], [7, 8, 9, 11, 12, 13])


def test_networks_are_seeded_and_mixed_has_none() -> None:
    a = network.build("small_world", 5000, 10, 0.1, np.random.default_rng(6))
    b = network.build("small_world", 5000, 10, 0.1, np.random.default_rng(6))
    assert a is not None and b is not None
    np.testing.assert_array_equal(a.indices, b.indices)
    assert network.build("mixed", 5000, 10, 0.1, np.random.default_rng(6)) is None


def test_auto_engine_picks_by_size() -> None:
    assert engine_class("auto", AUTO_AGENT_LIMIT).engine == "agents"
    assert engine_class("auto", AUTO_AGENT_LIMIT + 1).engine == "vector"
