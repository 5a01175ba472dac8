#!/usr/bin/env bash
# Fingerprint every output of every built-in scenario on both engines, for a change that must not
# alter behaviour (a refactor): run it before and after, then diff the two listings.
#   scripts/fingerprint_outputs.sh OUT_DIR > before.txt
# CHURNSIM names the command to test (default: churnsim), e.g. CHURNSIM="python -m churnsim".
set -euo pipefail
out=${1:?usage: scripts/fingerprint_outputs.sh OUT_DIR}
read -r -a churnsim <<< "${CHURNSIM:-churnsim}"
mkdir -p "$out" && cd "$out"
for scenario in broadband classroom electricity insurance mobile; do
    for engine in agents vector; do
        # A relative --out: summary.json records the command, so the listing does not depend on OUT_DIR.
        "${churnsim[@]}" run "$scenario" --engine "$engine" --seed 7 --months 24 --events --out "$scenario-$engine" >/dev/null
    done
done
find . -type f | LC_ALL=C sort | xargs sha256sum
