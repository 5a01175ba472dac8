"""The live classroom page: ``churnsim app`` serves this module with ``solara run``.

Mesa's SolaraViz supplies the sidebar (the controls of ``lesson.model_params``, Reset,
Play and Step); this module declares what sits beside it: the customer network, three
live charts, the month's news and an explanation for students. Every panel is a plain
function of the model, so SolaraViz redraws it after each Step. Pictures are PNG data
URIs and text is plain HTML: nothing on the page needs a network connection.
"""

from __future__ import annotations

import base64
import html
import io
import os

import solara
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz

from churnsim import lesson, style

PANEL_HEIGHT = "380px"  # SolaraViz grid cells are 10 rows of 30 px plus 9 gaps of 10 px


def _picture(fig: Figure, name: str) -> solara.Element:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    uri = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    return solara.HTML(tag="img", attributes={"src": uri, "alt": name, "data-panel": name},
                       style=f"width: 100%; height: {PANEL_HEIGHT}; object-fit: contain;")


def network_panel(model: lesson.LessonModel) -> solara.Element:
    return _picture(lesson.draw_network(model), "network")


def stage_panel(model: lesson.LessonModel) -> solara.Element:
    return _picture(lesson.stage_chart(model.timeseries), "stages")


def churn_panel(model: lesson.LessonModel) -> solara.Element:
    return _picture(lesson.churn_chart(model.timeseries), "churn")


def profit_panel(model: lesson.LessonModel) -> solara.Element:
    return _picture(lesson.profit_chart(model.timeseries), "profit")


def news_panel(model: lesson.LessonModel) -> solara.Element:
    """The month counter and one line per month, newest first."""
    ts = model.timeseries
    lines = "".join(f"<li>{html.escape(lesson.month_story(ts, m))}</li>" for m in range(model.steps, -1, -1))
    total = model.spec.market.months
    done = "" if model.running else " &mdash; the end: press Reset to start again"
    running = "" if model.controls is None else html.escape(lesson.settings_line(model.controls, model.seed))
    body = (f'<h2 data-panel="month" style="margin: 0 0 6px 0">Month {model.steps} of {total}{done}</h2>'
            f'<p style="margin: 0 0 6px 0; font-size: 13px; color: #555">{running} '
            "A changed control takes effect when you press Reset.</p>"
            f'<ol reversed style="font-size: 15px; line-height: 1.45; padding-left: 2.2em">{lines}</ol>')
    return solara.HTML(tag="div", unsafe_innerHTML=body, attributes={"data-panel": "news"},
                       style=f"height: {PANEL_HEIGHT}; overflow-y: auto; padding: 8px 12px;")


def _swatch(colour: str) -> str:
    return (f'<span style="display:inline-block;width:0.9em;height:0.9em;background:{colour};'
            f'border:1px solid #404040;vertical-align:middle"></span>')


EXPLANATION = f"""
<h2 style="margin-top:0">What you are watching</h2>
<p>Each dot is a household with one subscription. Its <b>colour</b> is how loyal it is, its <b>shape</b> is
its provider, a <b>red ring</b> means it is looking around for another provider, and a
<b>yellow halo</b> means it switched this month. Lines are word of mouth travelling this month:
<span style="color:{style.NEWS_COLOURS['bad']}"><b>red</b></span> for a bad experience,
<span style="color:{style.NEWS_COLOURS['good']}"><b>green</b></span> for a good one.</p>

<h3>1. The loyalty ladder</h3>
<p>Signing a contract, a customer has {_swatch(style.STAGE_COLOURS['chosen'])} <b>chosen</b> the provider.
Every invoice and every call to customer service is a new moment of choice. When the promise is kept,
the customer is {_swatch(style.STAGE_COLOURS['rechosen'])} <b>re-chosen</b>, and after months of kept
promises becomes {_swatch(style.STAGE_COLOURS['embedded'])} <b>embedded</b>: trusts the firm, hardly notices
rivals' offers and recommends it to friends. A bad experience with the core service knocks a customer one
step down. <i>Source: &ldquo;Vald, omvald och invald &ndash; konsten att skapa lojala kunder&rdquo;
(chosen, re-chosen, embedded).</i></p>

<h3>2. The phase-out effect</h3>
<p>Touchpoints that only talk about price slowly push customers out. The monthly invoice puts cost against
value in black and white; rivals' ads and comparison sites show cheaper prices; a price rise without notice
stings. Under that pressure a customer starts <b>looking around</b> (red ring), and a customer who looks
around leaves when a rival is cheaper. Embedded customers are almost immune. In a downturn price matters
more: in a survey of 1,000 Swedish consumers, 56&nbsp;% had considered switching a supplier to save money.
<i>Sources: the same article; Billogram&rsquo;s loyalty report with Novus (2023).</i></p>

<h3>3. Why effort matters more than delight</h3>
<p>A study of more than 125,000 customer-service interactions at over 100 companies found that loyalty
levels off once expectations are met: going the extra mile costs money but buys little extra loyalty.
What drives customers away is <b>effort</b>: being passed between channels, repeating yourself, too many
steps. 96&nbsp;% of customers with a high-effort service interaction became more disloyal, against
9&nbsp;% after a low-effort one. Try it: give one provider <i>low-effort</i> and another
<i>over-delivery</i>, press Play and compare their churn and profit.
<i>Sources: Dixon, Freeman &amp; Toman, &ldquo;Stop Trying to Delight Your Customers&rdquo;, Harvard
Business Review (2010); Dixon, Toman &amp; DeLisi, <u>The Effortless Experience</u> (2013); retold in
&ldquo;Hold op med at overg&aring; kundernes forventninger!&rdquo;.</i></p>

<h3>4. Word of mouth</h3>
<p>A bad experience is told to about 10 people, a good one to about 3. Bad news about your own provider
makes you look around; good news about a rival pulls you towards it. Move the two word-of-mouth sliders
and press Reset to see how far news travels. <i>Source: &ldquo;Hold op med at overg&aring; kundernes
forventninger!&rdquo;.</i></p>

<h3>The controls</h3>
<ul>
<li><b>Provider strategy</b>: a named way of running the firm (<i>low-effort</i>, <i>over-delivery</i>,
<i>price-cut</i>, ...). A strategy's own choices win over the sliders below.</li>
<li><b>Failures</b>: share of customers whose core service fails in a month.</li>
<li><b>Effort</b>: steps a service contact takes; more than 3 and satisfaction falls.</li>
<li><b>Delight spend</b>: extra spend on every contact to exceed expectations (1 = lavish).</li>
<li><b>Price gap</b>: how far providers with a price-cut strategy undercut their list price.</li>
<li><b>Ad pressure</b>: how hard providers advertise (1 = typical); price-cutters advertise twice as hard.</li>
<li><b>Bad / good news reach</b>: people told about one bad or good experience.</li>
<li><b>Downturn</b>: from the given month on, price talk makes customers compare prices; many look around,
few find a deal worth switching for.</li>
<li><b>Seed</b>: the same seed and settings always give the same run.</li>
</ul>
<p>Changes take effect when you press <b>Reset</b>; then <b>Step</b> moves one month and
<b>&#9654;</b> plays.</p>
"""


def explanation_panel(model: lesson.LessonModel) -> solara.Element:
    return solara.HTML(tag="div", unsafe_innerHTML=EXPLANATION, attributes={"data-panel": "explanation"},
                       style=f"height: {PANEL_HEIGHT}; overflow-y: auto; padding: 8px 12px; font-size: 15px;")


# SolaraViz lays panels out two to a row, in this order.
PANELS = [network_panel, stage_panel, news_panel, churn_panel, explanation_panel, profit_panel]



def lesson_page(source: str | None = "classroom") -> solara.Element:
    """A fresh page for a scenario: its own model, controls and panels."""
    model = lesson.page_model(source)
    return SolaraViz(model(), components=PANELS, model_params=model.params, play_interval=400,
                     name=f"churnsim: {model.scenario_name}, how loyalty spreads and erodes")


page = lesson_page(os.environ.get(lesson.SCENARIO_ENV) or "classroom")
