"""The scenario schema: every parameter of the model, typed, bounded and explained.

One pydantic model per mechanism so that each can be switched off on its own and
so that ``churnsim params`` can list every knob by dotted path. Numbers without a
source comment are modelling choices calibrated against the sector churn bands of the
scenarios; the sourced ones cite the practitioner article or study they come from, by its
short name in docs/SOURCES.md.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

STAGES = ("chosen", "rechosen", "embedded")
CHANNELS = ("paper", "e_invoice", "direct_debit", "mobile")


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _p(default: float, description: str) -> float:
    """A probability per month (or a share): the commonest kind of parameter."""
    return Field(default, ge=0.0, le=1.0, description=description)


def _w(default: float, description: str, le: float = 100.0) -> float:
    """A non-negative weight or rate."""
    return Field(default, ge=0.0, le=le, description=description)


class Calibration(_Group):
    annual_churn_min: float = _p(0.0, "lower end of the sector's annual churn band the scenario aims at")
    annual_churn_max: float = _p(1.0, "upper end of the sector's annual churn band the scenario aims at")
    source: str = Field("", description="where the band comes from")

    @model_validator(mode="after")
    def _ordered(self) -> Calibration:
        if self.annual_churn_min > self.annual_churn_max:
            raise ValueError("annual_churn_min must not exceed annual_churn_max")
        return self


class Meta(_Group):
    name: str = Field("unnamed", description="short scenario name used in outputs")
    description: str = Field("", description="one paragraph on the market modelled")
    sector: str = Field("generic", description="sector label (telecom, broadband, electricity, insurance, ...)")
    currency: str = Field("currency units", min_length=1, max_length=40,
                          description="what prices and every money figure are counted in (EUR, SEK, ...)")
    calibration: Calibration = Calibration()


class Market(_Group):
    customers: int = Field(10_000, ge=10, le=100_000_000, description="population size (customers plus prospects)")
    months: int = Field(60, ge=1, le=1200, description="months simulated")
    prospect_share: float = _p(0.0, "share of the population outside the market (no provider) at month 0")
    entry_rate: float = _p(0.0, "monthly hazard that a prospect signs up through advertising (Bass p)")
    exit_rate: float = _p(0.0, "monthly hazard that a customer leaves the category altogether (becomes a prospect)")
    reference_price: float = Field(
        30.0, gt=0.0, le=1e6, description="typical monthly price in the market, the unit of price gaps"
    )
    annual_renewal: bool = Field(
        False, description="customers can leave only in the month their yearly contract renews (insurance)"
    )
    burn_in: int = Field(
        24, ge=0, le=600,
        description="months the market runs before month 0 (no dated events, leavers replaced), so month 0 is "
                    "the model's own long-run state",
    )


class Network(_Group):
    kind: Literal["small_world", "random", "mixed"] = Field(
        "small_world",
        description="social network: Watts-Strogatz small world, Erdos-Renyi random, or fully mixed (random mixing)",
    )
    mean_degree: int = Field(10, ge=2, le=200, description="average number of acquaintances (even for small_world)")
    rewire: float = _p(0.1, "small-world rewiring probability")


class Distribution(_Group):
    mean: float = Field(description="mean across customers of the segment")
    sd: float = Field(0.0, ge=0.0, description="standard deviation across customers (normal, truncated at 0)")


class BaselineChurn(_Group):
    """Life-event churn (moving, deaths, business closure) that no strategy can prevent.

    Each customer's monthly probability is drawn from Beta(alpha, beta), so the cohort
    retention curve is shifted-beta-geometric (Fader and Hardie 2007) when nothing else acts.
    """

    alpha: float = Field(1.0, gt=0.0, le=1e4, description="Beta alpha of per-customer monthly life-event churn")
    beta: float = Field(400.0, gt=0.0, le=1e6, description="Beta beta of per-customer monthly life-event churn")


class Segment(_Group):
    name: str = Field("everyone", description="segment label")
    share: float = _p(1.0, "share of the population in this segment (shares are normalised)")
    price_sensitivity: Distribution = Field(
        Distribution(mean=1.0, sd=0.3), description="multiplies every price pressure; 1 is average"
    )
    expectation: Distribution = Field(
        Distribution(mean=0.0, sd=0.3), description="expected service level, on the same scale as provider quality"
    )
    effort_tolerance: Distribution = Field(
        Distribution(mean=1.3, sd=0.2),
        description="effort a contact may reach before it counts as high (3 steps, no switch, no repeat = 1)",
    )
    prefers_human: float = _p(
        0.52, "share who want a person for complex issues (BT study, cited in Customer focus in a downturn: 52 %)"
    )
    payment_mix: dict[str, float] = Field(
        default_factory=lambda: {"paper": 0.2, "e_invoice": 0.4, "direct_debit": 0.3, "mobile": 0.1},
        description="initial shares of payment channels paper, e_invoice, direct_debit, mobile",
    )
    baseline_churn: BaselineChurn = BaselineChurn()

    @model_validator(mode="after")
    def _channels(self) -> Segment:
        unknown = set(self.payment_mix) - set(CHANNELS)
        if unknown:
            raise ValueError(f"unknown payment channel {sorted(unknown)}; allowed: {', '.join(CHANNELS)}")
        if any(v < 0 for v in self.payment_mix.values()) or sum(self.payment_mix.values()) <= 0:
            raise ValueError("payment_mix shares must be >= 0 and not all zero")
        return self


class Ladder(_Group):
    """Chosen -> re-chosen -> embedded (Billogram, Vald omvald invald) and the slide back down."""

    enabled: bool = Field(True, description="switch the loyalty ladder on (off: everyone stays 'chosen')")
    initial_shares: tuple[float, float, float] = Field(
        (0.3, 0.4, 0.3), description="stage shares (chosen, rechosen, embedded) of existing customers at month 0"
    )
    promote_chosen: float = _p(0.10, "monthly chance that a confirming month lifts a chosen customer to re-chosen")
    promote_rechosen: float = _p(0.04, "monthly chance that a confirming month lifts a re-chosen customer to embedded")
    demote_on_bad: float = _p(0.5, "chance that a bad core experience drops a customer one stage")
    resistance: tuple[float, float, float] = Field(
        (1.0, 0.5, 0.05),
        description="multiplier on look-around pressure per stage: embedded customers are near immune "
                    "(Billogram, Vald omvald invald)",
    )

    @model_validator(mode="after")
    def _shares(self) -> Ladder:
        if any(s < 0 for s in self.initial_shares) or sum(self.initial_shares) <= 0:
            raise ValueError("initial_shares must be >= 0 and not all zero")
        if any(r < 0 for r in self.resistance):
            raise ValueError("resistance multipliers must be >= 0")
        return self


class Response(_Group):
    """The asymmetric response curve of Dixon, Freeman and Toman (HBR 2010), as cited by Graugaard.

    P(a month confirms the choice) as a function of the gap between delivered value and
    expectation: falls steeply below zero, reaches ``meet_level`` at zero and adds at most
    ``exceed_gain`` beyond it (the delight plateau).
    """

    shortfall_slope: float = _w(4.0, "steepness of the fall in confirmation below expectations")
    meet_level: float = _p(0.8, "chance that a month which meets expectations confirms the choice")
    exceed_gain: float = _p(0.05, "largest extra confirmation chance from exceeding expectations")
    exceed_scale: float = Field(0.5, gt=0.0, le=100.0, description="gap over which the delight gain saturates")
    value_per_gap: float = _w(0.5, "perceived value (in reference prices) gained per unit of experience gap", le=10.0)


class PhaseOut(_Group):
    """The phase-out effect (utfasningseffekt; Billogram, Vald omvald invald): look around first, then leave."""

    enabled: bool = Field(True, description="switch price exposure and the look-around stage on")
    base_attention: float = _w(0.001, "monthly look-around hazard with no pressure at all")
    initial_looking: float = _p(0.08, "share of customers already looking around at month 0 (avoids a warm-up)")
    invoice_weight: float = _w(0.02, "hazard per reference price that the invoice exceeds perceived value")
    ad_exposure: float = _p(0.3, "monthly chance of seeing a competitor's price ad at zero ad pressure")
    ad_weight: float = _w(0.04, "hazard per reference price a seen competitor is cheaper")
    comparison_site_rate: float = _p(0.05, "monthly chance of checking a comparison site (sees the cheapest offer)")
    promo_visibility: float = _p(0.2, "monthly chance an existing customer sees the own provider's new-customer promo")
    promo_unfairness: float = _w(0.4, "hazard per unit promo discount that feels unfair to existing customers")
    notice_weight: float = _w(1.0, "hazard per unit price rise in each month of an announced, explained rise")
    unexplained_rise_weight: float = _w(4.0, "hazard per unit price rise when it lands on the invoice unannounced")
    calm_down: float = _p(0.6, "monthly chance a looking customer stops looking after a confirming month")
    switch_rate: float = _p(0.25, "monthly chance a looking customer leaves, before price advantage")
    advantage_weight: float = _w(1.5, "extra leaving chance per reference price the best alternative saves")
    choice_price: float = _w(4.0, "logit weight of price (per reference price) when choosing where to go")
    choice_quality: float = _w(1.0, "logit weight of quality when choosing where to go")


class Attention(_Group):
    """Moments that make a customer compare now, and act on a better deal (Røhr 2018; Novus for Billogram).

    A notice of a price change wakes inattentive customers, who compare the announced price with
    the market and switch before it applies; a bill shock, an unannounced rise and a downturn's
    price talk do the same. Hazards per month, damped by the loyalty stage like every pressure.
    """

    enabled: bool = Field(True, description="switch attention on (off: customers compare only while looking around)")
    notice: float = _w(0.2, "hazard per month of a running price-change notice that a customer reads it and compares")
    unannounced: float = _w(1.0, "hazard that a price change landing on the invoice without notice makes one compare")
    bill_shock: float = _p(0.01, "monthly chance of an unexpectedly high bill, which makes the customer compare")
    downturn_talk: float = _w(0.25, "hazard per downturn month that price talk makes a customer compare")
    renewal: float = _w(
        0.7, "hazard that the yearly renewal makes a customer compare, where contracts renew yearly "
             "(UK motor insurance: 84 % shop around at renewal)",
    )
    min_saving: float = _w(
        0.5, "saving (in reference prices, times price sensitivity) a better deal must offer to be worth acting on"
    )
    act: float = _p(0.3, "chance an attentive customer who finds a better deal switches within the month")


class Service(_Group):
    """Core failures and service contacts: effort, resolution, recovery.

    Sources: Billogram, Kundlojalitet del 2; Graugaard; Customer focus in a downturn.
    """

    enabled: bool = Field(True, description="switch core-service failures and service contacts on")
    question_rate: float = _p(0.08, "monthly chance of a service contact without a failure (a question)")
    contact_given_failure: float = _p(0.6, "chance a failure leads to a contact")
    complex_share: float = _p(0.3, "share of contacts that are complex issues")
    steps_threshold: int = Field(
        3, ge=1, le=20, description="steps before satisfaction falls (KPMG via Billogram, Kundlojalitet del 2: max 3)"
    )
    switch_effort: float = _w(1.0, "effort score of a channel switch or transfer", le=10.0)
    repeat_effort: float = _w(1.0, "effort score of having to contact again", le=10.0)
    disloyal_high_effort: float = _p(0.96, "chance a high-effort contact makes a customer more disloyal (CEB, HBR)")
    disloyal_low_effort: float = _p(0.09, "chance a low-effort contact makes a customer more disloyal (CEB, HBR)")
    bad_hazard: float = _w(
        0.12, "look-around hazard of a bad month: a failure not made good, or a contact that made one more disloyal"
    )
    failure_loss: float = _w(1.5, "experience gap lost in a month with a core failure", le=10.0)
    recovery_gain: float = _w(1.0, "experience gap a failure's contact gives back when resolved with low effort",
                              le=10.0)
    delight_cap: float = _w(0.8, "largest experience gap delight can close on a resolved contact", le=10.0)
    delight_scale: float = Field(
        0.5, gt=0.0, le=100.0, description="delight spend that closes 63 % of delight_cap (diminishing returns)"
    )
    digital_only_repeat: float = _p(
        0.5, "chance a complex issue pushed to self-service needs a repeat (Customer focus in a downturn)"
    )


class WordOfMouth(_Group):
    """Three knobs each for good and bad news (how often, how many, how much), after Graugaard."""

    enabled: bool = Field(True, description="switch word of mouth on")
    tell_bad: float = _p(0.4, "chance a customer with a bad experience tells others")
    tell_good: float = _p(0.3, "chance a customer with a good experience tells others")
    reach_bad: float = _w(10.0, "people told about a bad experience (Graugaard: about 10)", le=1000.0)
    reach_good: float = _w(3.0, "people told about a good experience (Graugaard: about 3)", le=1000.0)
    weight_bad: float = _w(0.04, "look-around hazard one bad message about the own provider adds")
    weight_good: float = _w(0.01, "look-around hazard one good message about a competitor adds")
    ambassador_rate: float = _p(0.1, "monthly chance an embedded customer recommends the provider unprompted")
    recommend_by_stage: tuple[float, float, float] = Field(
        (0.0, 0.3, 1.0), description="multiplier on ambassador_rate for chosen, re-chosen and embedded customers"
    )
    referral_strength: float = _w(0.05, "adoption hazard one recommendation gives a prospect (Bass q per message)")
    referral_pull: float = _w(1.0, "how much one recommendation tilts a leaver's choice towards that provider")
    defection_weight: float = _w(
        0.07, "look-around hazard per acquaintance who left the customer's provider last month (Nitzan and Libai 2011)"
    )
    defection_decay: float = _p(0.3, "share of the exposure to acquaintances' defections that is left a month later")
    degree_elasticity: float = Field(
        1.0, ge=0.0, le=5.0,
        description="how much more a customer with more acquaintances heeds a defection: (degree / mean)^elasticity",
    )


class Payment(_Group):
    """Payment friction at the invoice (Billogram and Novus: 8 in 10 say smooth payment decides)."""

    enabled: bool = Field(True, description="switch payment friction on")
    friction: dict[str, float] = Field(
        default_factory=lambda: {"paper": 0.02, "e_invoice": 0.002, "direct_debit": 0.0, "mobile": 0.001},
        description="monthly look-around hazard added by paying through each channel",
    )
    paper_cost: float = _w(0.5, "extra monthly cost to serve a paper invoice", le=1e4)

    @model_validator(mode="after")
    def _channels(self) -> Payment:
        if set(self.friction) != set(CHANNELS):
            raise ValueError(f"friction must give exactly the channels {', '.join(CHANNELS)}")
        if any(v < 0 for v in self.friction.values()):
            raise ValueError("friction values must be >= 0")
        return self


class Offers(_Group):
    """Relevant offers add value, generic spam irritates.

    Sources: Billogram, Kundlojalitet del 2; Customer focus in a downturn; Billogram and Novus.
    """

    enabled: bool = Field(True, description="switch offers on")
    relevant_gain: float = _w(0.3, "experience gap gained from a relevant offer", le=10.0)
    spam_hazard: float = _w(0.03, "look-around hazard added by a spam offer")
    proactive_gain: float = _w(0.2, "experience gap gained from a proactive message", le=10.0)
    proactive_mitigation: float = _p(0.5, "share of a failure's loss avoided when customers are told before they ask")
    relevant_calm: float = _p(0.5, "chance a relevant offer to a customer looking around ends the search")


class Rewards(_Group):
    """Loyalty rewards (Billogram and Novus): binding discounts, bundles, tenure bonuses."""

    enabled: bool = Field(True, description="switch loyalty rewards on")
    binding_lock: float = _p(0.9, "how much a binding contract cuts the chance of leaving while it runs")
    bundle_lock: float = _p(0.3, "how much a bundle cuts the chance of leaving")
    tenure_bonus_after: int = Field(24, ge=0, le=600, description="months of tenure before the tenure bonus starts")


class Retention(_Group):
    """What a retention effort does for a looking customer it reaches (the provider's ``retention_offers``).

    The share it saves is an assumption, plainly labelled: no source in docs/SOURCES.md gives one.
    A saved customer stops looking and gets a discount, whose cost shows in profit.
    """

    save_share: float = _p(0.3, "share of the looking customers a retention effort reaches that it keeps (assumption)")
    discount: float = _p(0.15, "discount off the list price a saved customer gets")
    discount_months: int = Field(6, ge=0, le=120, description="months the saved customer's discount lasts")


class Economy(_Group):
    """A downturn raises price sensitivity (Billogram and Novus)."""

    enabled: bool = Field(False, description="switch the downturn on")
    downturn_month: int = Field(12, ge=0, le=1200, description="first month of the downturn")
    price_sensitivity_multiplier: float = _w(1.0, "price sensitivity multiplier during the downturn", le=20.0)


class Economics(_Group):
    """Unit economics, the same for every provider (Graugaard: winning a customer costs about 10 times keeping one)."""

    cost_of_goods: float = _w(
        0.0, "monthly cost of what a billed customer consumes (wholesale energy, network access, expected claims); "
             "0 makes profit a contribution before cost of goods", le=1e6)
    serve_cost: float = _w(8.0, "monthly cost to serve one customer, before contacts", le=1e6)
    contact_cost_digital: float = _w(2.0, "cost of one digital service contact", le=1e6)
    contact_cost_human: float = _w(12.0, "cost of one contact handled by a person", le=1e6)
    delight_unit_cost: float = _w(10.0, "cost per contact of one unit of delight spend", le=1e6)
    offer_cost: float = _w(0.2, "cost of sending one offer", le=1e6)
    proactive_cost: float = _w(0.3, "monthly cost per customer of proactive communication at level 1", le=1e6)
    retention_cost: float = _w(15.0, "cost of a retention effort on one existing customer", le=1e6)
    acquisition_multiplier: float = _w(10.0, "acquisition cost as a multiple of retention cost (Graugaard)", le=1000.0)
    ad_cost: float = _w(0.1, "monthly advertising cost per customer in the market at ad pressure 1", le=1e6)
    annual_discount_rate: float = _p(0.08, "discount rate for customer lifetime value")


class PriceChange(_Group):
    month: int = Field(0, ge=0, le=1200, description="month the new price lands on the invoice (0: no change)")
    change: float = Field(0.0, ge=-0.9, le=5.0, description="relative price change (0.1 is a 10 % rise)")
    notice_months: int = Field(0, ge=0, le=24, description="months of advance notice with an explanation (0: none)")


class Levers(_Group):
    """What one provider controls: the levers strategies set."""

    price: float = Field(30.0, ge=0.0, le=1e6, description="monthly list price")
    quality: float = Field(0.2, ge=-5.0, le=5.0, description="delivered core value, on the expectation scale")
    failure_rate: float = _p(0.03, "monthly chance of a core-service failure per customer")
    steps_mean: float = Field(3.0, ge=1.0, le=50.0, description="mean number of steps a service contact takes")
    channel_switch: float = _p(0.25, "chance a contact forces a channel switch or transfer")
    repeat_contact: float = _p(0.2, "chance a contact has to be repeated")
    resolution: float = _p(0.75, "chance a contact resolves the issue")
    digital_only: bool = Field(False, description="service only through digital channels, no person for complex issues")
    delight: float = _w(0.0, "over-delivery spend per contact (0 none, 1 lavish)", le=10.0)
    proactive: float = _p(0.0, "level of proactive communication (0 none, 1 everything told before asked)")
    offer_rate: float = _p(0.0, "monthly chance a customer receives an offer")
    offers_relevant: float = _p(1.0, "share of offers that are relevant rather than spam")
    digital_push: float = _p(0.0, "monthly chance a paper-invoice customer is moved to a digital channel")
    binding_discount: float = _p(0.0, "discount for a binding contract")
    binding_months: int = Field(12, ge=1, le=120, description="length of a binding contract")
    binding_uptake: float = _p(0.0, "chance a customer takes a binding contract when offered (signing, renewal)")
    bundle_share: float = _p(0.0, "share of customers on a bundle")
    tenure_bonus: float = _p(0.0, "price reduction after the tenure threshold")
    promo_discount: float = _p(0.0, "discount for new customers in their first promo_months")
    promo_months: int = Field(6, ge=1, le=60, description="months a new-customer promo price lasts")
    ad_pressure: float = _w(1.0, "advertising intensity relative to a typical competitor", le=20.0)
    brand: float = Field(
        0.0, ge=-10.0, le=10.0,
        description="reputation and awareness: how much more a customer choosing a provider leans to this one (logit)",
    )
    retention_offers: float = _p(0.0, "monthly chance a looking customer is reached by a retention effort")
    process_investment: float = _w(0.0, "one-off cost per customer of engineering effort out of the process", le=1e6)
    price_change: PriceChange = PriceChange()


class Provider(_Group):
    name: str = Field(description="provider name")
    share: float = _p(0.25, "initial market share among customers (shares are normalised)")
    strategies: tuple[str, ...] = Field(
        (), description="named strategy presets (see `churnsim strategies`) that adjust the levers, in order"
    )
    levers: Levers = Levers()


class Scenario(_Group):
    """A whole market: configuration of one simulation run."""

    meta: Meta = Meta()
    market: Market = Market()
    network: Network = Network()
    segments: tuple[Segment, ...] = (Segment(),)
    ladder: Ladder = Ladder()
    response: Response = Response()
    phase_out: PhaseOut = PhaseOut()
    attention: Attention = Attention()
    service: Service = Service()
    word_of_mouth: WordOfMouth = WordOfMouth()
    payment: Payment = Payment()
    offers: Offers = Offers()
    rewards: Rewards = Rewards()
    retention: Retention = Retention()
    economy: Economy = Economy()
    economics: Economics = Economics()
    providers: tuple[Provider, ...] = Field(
        default_factory=lambda: tuple(Provider(name=n) for n in ("A", "B", "C")),
        description="the firms in the market, each with its own strategy",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        if not 2 <= len(self.providers) <= 12:
            raise ValueError("a market needs between 2 and 12 providers")
        names = [p.name for p in self.providers]
        if len(set(names)) != len(names):
            raise ValueError(f"provider names must be unique, got {names}")
        if not self.segments:
            raise ValueError("at least one customer segment is needed")
        if sum(s.share for s in self.segments) <= 0 or sum(p.share for p in self.providers) <= 0:
            raise ValueError("segment and provider shares must not all be zero")
        if self.network.kind == "small_world" and self.network.mean_degree % 2:
            raise ValueError("network.mean_degree must be even for a small-world network")
        return self
