"""The explanation beside the live page: what the class is watching and where the ideas come from.

Text only, kept apart from the page's code; the stage colours come from ``churnsim.present.style``
so the words match the pictures.
"""

from __future__ import annotations

from churnsim.present import style


def _swatch(colour: str) -> str:
    """A small square of a stage's colour, inline in the text."""
    return (f'<span style="display:inline-block;width:0.9em;height:0.9em;background:{colour};'
            f'border:1px solid #404040;vertical-align:middle"></span>')


EXPLANATION = f"""
<h2 style="margin-top:0">What you are watching</h2>
<p>Each mark is a household with one subscription. Its <b>fill</b> is how loyal it is (the darker, the
more loyal), its <b>shape</b> is its provider, a thick <b>orange-red ring</b> means it is looking around for
another provider, and a <b>yellow halo</b> means it switched this month. Lines are word of mouth travelling
this month: a thick solid orange-red line for a bad experience, a thin dashed blue line for a good one.</p>

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
stings. Under that pressure a customer starts <b>looking around</b> (the ring), and a customer who looks
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
<li><b>Strategies</b>: each provider can combine named ways of running the firm (<i>low-effort</i>,
<i>over-delivery</i>, <i>price-cut</i>, ...); the list says what each one does. A strategy's own choices win
over the sliders below.</li>
<li><b>Failures</b>, <b>Effort</b>, <b>Delight spend</b>, <b>Ad pressure</b>: the value for a typical provider
of the scenario. Moving a slider moves every provider by the same amount, so a provider the scenario makes
different (say, with more failures) stays different.</li>
<li><b>Price gap</b>: how far providers with a price-cut strategy undercut their list price.</li>
<li><b>Bad / good news reach</b>: people told about one bad or good experience.</li>
<li><b>Downturn</b>: from the given month on, price talk makes customers compare prices; many look around,
few find a deal worth switching for.</li>
<li><b>Seed</b>: the same seed and settings always give the same run.</li>
</ul>
<p>A changed control is marked and takes effect when you press <b>Reset</b>; then <b>Step</b> moves one month
and <b>Play</b> runs month after month. After a Reset the charts keep the run before it as faint lines.</p>
"""
