"""fair_shares: room split by weight, capped by demand, leftovers to the longest-waiting."""

from __future__ import annotations

import pytest

from app.jobs.fair_shares import Claim, fair_shares


def test_equal_weights_split_the_room_evenly() -> None:
    claims = [Claim("a", 1, 1000), Claim("b", 1, 1000)]

    assert fair_shares(300, claims) == {"a": 150, "b": 150}


def test_weights_split_the_room_in_proportion() -> None:
    claims = [Claim("a", 3, 1000), Claim("b", 1, 1000)]

    assert fair_shares(400, claims) == {"a": 300, "b": 100}


def test_what_a_small_claim_cannot_use_goes_to_the_others() -> None:
    claims = [Claim("big", 1, 100_000), Claim("small", 1, 20), Claim("other", 1, 100_000)]

    assert fair_shares(300, claims) == {"big": 140, "small": 20, "other": 140}


def test_a_heavy_weight_cannot_take_more_than_its_demand() -> None:
    claims = [Claim("heavy", 100, 10), Claim("light", 1, 1000)]

    assert fair_shares(300, claims) == {"heavy": 10, "light": 290}


def test_less_demand_than_room_gives_every_claim_all_it_wants() -> None:
    claims = [Claim("a", 5, 7), Claim("b", 1, 3), Claim("none", 1, 0)]

    assert fair_shares(300, claims) == {"a": 7, "b": 3, "none": 0}


def test_rows_left_by_rounding_go_one_each_in_the_order_given() -> None:
    claims = [Claim(name, 1, 1000) for name in "abcde"]

    assert fair_shares(3, claims) == {"a": 1, "b": 1, "c": 1, "d": 0, "e": 0}


@pytest.mark.parametrize(
    ("room", "weights", "demands"),
    [(1, [1, 1], [5, 5]), (77, [3, 1, 2], [10, 500, 40]), (1000, [7, 1], [999, 999]), (5, [100, 1, 1], [9, 9, 9])],
    ids=["one-row", "mixed", "large", "skewed"],
)
def test_the_shares_add_up_to_the_room_or_the_demand(room: int, weights: list[int], demands: list[int]) -> None:
    claims = [Claim(index, weight, demand) for index, (weight, demand) in enumerate(zip(weights, demands, strict=True))]

    shares = fair_shares(room, claims)

    assert sum(shares.values()) == min(room, sum(demands))
    assert all(shares[claim.key] <= claim.demand for claim in claims)
