"""What one Step costs on the live classroom page; prints, asserts nothing.

    python benchmarks/lesson_step.py                 # the mobile scenario, capped at 400 customers
    python benchmarks/lesson_step.py classroom --steps 20

The page is rendered in-process with solara's test renderer and its Step button is clicked,
so a Step is timed as a browser's click is served: the model's month, drawing every panel
and the widget updates. Each widget message the server would send is counted (its JSON plus
binary buffers), so "KiB sent" is what one browser receives for one Step. "model ms" is the
model's own step, timed apart on a twin model with the same seed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import ipyvuetify as v
import ipywidgets
import solara
import solara.widgets
from results import recorded

from churnsim.abm import app, lesson


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", nargs="?", default="mobile")
    parser.add_argument("--steps", type=int, default=12)
    args = parser.parse_args()

    sent: list[int] = []

    def count(widget: ipywidgets.Widget, msg: dict, buffers: list | None = None) -> None:
        sent.append(len(json.dumps(msg, default=str)) + sum(len(b) for b in buffers or ()))

    ipywidgets.Widget._send = count
    _box, rc = solara.render(solara.AppLayout(children=[app.lesson_page(args.scenario)]), handle_error=False)
    step = rc.find(v.Btn, attributes={"aria-label": "Step one month"}).widget

    twin = lesson.build_model(args.scenario, lesson.page_setup(args.scenario).defaults)
    model_ms = []
    for _ in range(args.steps):
        start = time.perf_counter()
        twin.step()
        model_ms.append(1000 * (time.perf_counter() - start))

    step_ms, kib = [], []
    for _ in range(args.steps):
        sent.clear()
        start = time.perf_counter()
        step.click()
        step_ms.append(1000 * (time.perf_counter() - start))
        kib.append(sum(sent) / 1024)
    rc.close()
    print(f"{args.scenario}: {twin.population_size} customers, {args.steps} Steps (median, max)")
    print(f"  Step ms   {statistics.median(step_ms):7.1f} {max(step_ms):7.1f}   (model, drawing and widget updates)")
    print(f"  model ms  {statistics.median(model_ms):7.1f} {max(model_ms):7.1f}")
    print(f"  KiB sent  {statistics.median(kib):7.1f} {max(kib):7.1f}   (to one browser)")


if __name__ == "__main__":
    with recorded():
        main()
