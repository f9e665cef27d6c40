"""Keyed random streams: uniform, independent across keys, and stable under edits."""

from __future__ import annotations

import numpy as np
from scipy import stats

from partnersim.streams import Streams, key_of, keys_of


def test_uniforms_are_uniform_and_in_the_open_interval() -> None:
    u = Streams(11).uniforms(np.arange(200_000, dtype=np.uint64), key_of("x"))
    assert 0.0 < u.min() and u.max() < 1.0
    assert stats.kstest(u, "uniform").pvalue > 1e-4
    counts = np.histogram(u, bins=100, range=(0, 1))[0]
    assert stats.chisquare(counts).pvalue > 1e-4


def test_neighbouring_keys_are_uncorrelated() -> None:
    streams = Streams(3)
    reps = np.arange(50_000, dtype=np.uint64)
    a = streams.uniforms(reps, key_of("ARG"), np.uint64(0))
    b = streams.uniforms(reps, key_of("ARG"), np.uint64(1))
    c = streams.uniforms(reps + np.uint64(1), key_of("ARG"), np.uint64(0))
    bound = 4 / np.sqrt(len(reps))  # four standard errors of a correlation of zero
    assert abs(np.corrcoef(a, b)[0, 1]) < bound
    assert abs(np.corrcoef(a, c)[0, 1]) < bound


def test_a_draw_depends_only_on_its_key() -> None:
    streams = Streams(5)
    allies = keys_of(["FRA", "TUR", "USA"])
    alone = streams.uniforms(np.uint64(17), allies[1])
    together = streams.uniforms(np.arange(10, 20, dtype=np.uint64)[:, None], allies[None, :])
    assert together[7, 1] == alone
    assert Streams(5).uniforms(np.uint64(17), allies[1]) == alone
    assert Streams(6).uniforms(np.uint64(17), allies[1]) != alone


def test_remembered_draws_are_the_draws_and_each_caller_gets_its_own_copy() -> None:
    from partnersim.values.families import Lognormal

    plain, kept = Streams(5), Streams(5, remember=True)
    keys = (np.arange(300, dtype=np.uint64)[:, None], keys_of(["ARG", "BRA"])[None, :], key_of("consensus"))
    first = kept.uniforms(*keys)
    assert first.tobytes() == plain.uniforms(*keys).tobytes()
    first[:] = 0.5  # a caller that writes over its draws
    again = kept.uniforms(*keys)
    assert again.tobytes() == plain.uniforms(*keys).tobytes()
    dist = Lognormal.model_validate({"lognormal": {"median": 30, "p90": 90}})
    assert kept.quantiles(dist, again).tobytes() == dist.ppf(again).tobytes()
    kept.quantiles(dist, again)[:] = 0.0
    assert kept.quantiles(dist, again).tobytes() == dist.ppf(again).tobytes()
    other = Lognormal.model_validate({"lognormal": {"median": 60, "p90": 90}})
    assert kept.quantiles(other, again).tobytes() == other.ppf(again).tobytes()  # kept by distribution too


def test_what_is_remembered_is_bounded() -> None:
    kept = Streams(5, remember=True)
    kept.MEMORY = 10 * 8 * 1000  # ten draws of a thousand uniforms
    for k in range(25):
        kept.uniforms(np.arange(1000, dtype=np.uint64), np.uint64(k))
        kept.keep(("outcome", k), k, 100)
        assert kept._kept_bytes <= kept.MEMORY
    assert kept.recall(("outcome", 24)) == 24 and kept.recall(("outcome", 0)) is None
    assert Streams(5).recall(("outcome", 24)) is None and not Streams(5).remembers
