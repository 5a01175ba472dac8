"""The sBG baseline against cases whose answer is known."""

import numpy as np
import pytest

from churnsim.calibration import sbg
from churnsim.calibration.targets import published


@pytest.mark.parametrize(("alpha", "beta"), [(0.7, 1.2), (2.0, 8.0), (0.3, 3.0)])
def test_exact_sbg_survivors_give_back_alpha_and_beta(alpha, beta):
    survivors = 1e7 * sbg.survival(alpha, beta, 10)
    fitted = sbg.fit(survivors)
    assert fitted.alpha == pytest.approx(alpha, rel=1e-3)
    assert fitted.beta == pytest.approx(beta, rel=1e-3)


def test_survival_follows_the_recursion_of_the_paper():
    alpha, beta = 1.5, 4.0
    p1 = alpha / (alpha + beta)
    p2 = p1 * beta / (alpha + beta + 1)
    assert sbg.survival(alpha, beta, 2) == pytest.approx([1.0, 1 - p1, 1 - p1 - p2])


@pytest.mark.parametrize(("table", "alpha", "beta"), [("fader_hardie_regular", 0.704, 1.182),
                                                      ("fader_hardie_high_end", 0.668, 3.806)])
def test_the_published_tables_give_the_published_estimates(table, alpha, beta):
    """Fader and Hardie (2007) fit years 0-7 of each table: regular 0.704, 1.182; high end 0.668, 3.806."""
    counts = np.loadtxt(published()[table], delimiter=",", skiprows=1, usecols=2)
    fitted = sbg.fit(counts[:8])
    assert (round(fitted.alpha, 3), round(fitted.beta, 3)) == (alpha, beta)
