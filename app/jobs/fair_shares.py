"""Split room for rows between claimants in proportion to their weights, none getting more than it can use."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

KeyT = TypeVar("KeyT", bound=Hashable)


@dataclass(frozen=True)
class Claim(Generic[KeyT]):
    """``key`` wants up to ``demand`` rows, with ``weight`` (at least 1) against the other claims."""

    key: KeyT
    weight: int
    demand: int


def fair_shares(room: int, claims: Sequence[Claim[KeyT]]) -> dict[KeyT, int]:
    """Split ``room`` rows between ``claims`` in proportion to their weights, none above its demand; what a claim
    cannot use goes to the others in the same proportions (water-filling), so no room is left while any claim wants
    more. The rows the proportional split leaves over by rounding down go one each to the claims in the order given
    (callers put the longest-waiting first), so small rooms still take turns. Returns every claim's rows; their sum
    is the smaller of ``room`` and the total demand."""
    shares: dict[KeyT, int] = {claim.key: 0 for claim in claims}
    wanting = [claim for claim in claims if claim.demand > 0]
    while room > 0 and wanting:
        total_weight = sum(claim.weight for claim in wanting)
        handed = 0
        for claim in wanting:
            share = min(room * claim.weight // total_weight, claim.demand - shares[claim.key])
            shares[claim.key] += share
            handed += share
        room -= handed
        wanting = [claim for claim in wanting if shares[claim.key] < claim.demand]
        if handed == 0:
            break
    # Every proportional share rounded down to 0, so room is below the number of claims still wanting rows.
    for claim in wanting[:room]:
        shares[claim.key] += 1
    return shares
