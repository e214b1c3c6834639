"""Random, recorded and reproducible pitch order for live rounds.

Later pitches tend to score higher (docs/domain.md section 4), so the running
order must be left to chance, and a team that pitched first must be able to see
that chance, not an organiser, put it there.  The draw is therefore a pure
function of the entries and a random seed: the seed is generated once, stored
with the round and published with the order, and anyone can re-run the draw
and check that it gives the same order.  Standard library only.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from collections.abc import Hashable, Sequence
from typing import TypeVar

__all__ = ["ALGORITHM", "SEED_BYTES", "draw_pitch_order", "new_seed"]

# Recorded next to the seed so a future change of method can never make an old draw unverifiable.
ALGORITHM = "sha256-seeded MT19937 Fisher-Yates shuffle of ids sorted by str(), v1"
SEED_BYTES = 32  # 256 bits; token_urlsafe gives 43 characters (the column holds 64)

EntryId = TypeVar("EntryId", bound=Hashable)


def draw_pitch_order(entry_ids: Sequence[EntryId], seed: str) -> list[EntryId]:
    """Return ``entry_ids`` in a uniformly random order determined by ``seed``.

    Why the seed is recorded: the order decides who pitches when, and running
    order biases scores, so it must be verifiable.  With the seed (stored and
    published with the order) anyone can re-run the draw and check it::

        ids = sorted(entry_ids, key=str)
        rng = random.Random(int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest(), "big"))
        rng.shuffle(ids)

    The ids are sorted by ``str()`` first, so the result depends only on the
    set of entries and the seed, never on the order the database returned them
    in.  ``random.shuffle`` is a Fisher-Yates shuffle, so every order is
    equally likely; the seed is drawn from ``secrets`` *before* anyone could
    know which order it gives, so it cannot be picked to favour a team.

    Raises ValueError for an empty seed, a repeated id, or two different ids
    with the same ``str()`` (their relative order would depend on input order).
    """
    if not seed:
        raise ValueError("the seed must not be empty")
    ids = sorted(entry_ids, key=str)
    for before, after in zip(ids, ids[1:], strict=False):
        if str(before) == str(after):
            what = "appears twice" if before == after else "has the same text as another id"
            raise ValueError(f"entry id {before!r} {what}")
    # Not a CSPRNG on purpose: the draw must be re-runnable; the unpredictability is in the seed.
    rng = random.Random(int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest(), "big"))
    rng.shuffle(ids)
    return ids


def new_seed() -> str:
    """A fresh seed: 256 bits from ``secrets``, URL-safe base64 (43 characters)."""
    return secrets.token_urlsafe(SEED_BYTES)
