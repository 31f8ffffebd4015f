"""
Reversible id spaces: an order's or a number's UUID encodes its campaign and index.

Each campaign owns a slice of UUIDs (an `IdSpace`): the high half carries the
campaign's random prefix, the low 62 bits a bijection of the item's index, so
`Ids.locate` turns any id back into ``(campaign, index)`` with no index kept.
Every id is a valid version-4 UUID. Nothing here knows about brands or orders.
"""

from __future__ import annotations

import random
import re

import attrs

__all__ = ["IdSpace", "Ids", "mix", "random_uuid"]

_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")

# Bit layout of a version-4 UUID as an int: version nibble at bits 76-79, variant at 62-63.
_MASK62 = (1 << 62) - 1
_MASK64 = (1 << 64) - 1
_HIGH_MASK = _MASK64 & ~(0xF << 12)
_VERSION_BITS = 4 << 12
_VARIANT_BIT = 1 << 63
_MUL = 0x2545F4914F6CDD1D & _MASK62
_MUL_INV = pow(_MUL, -1, 1 << 62)


def _uuid(value: int) -> str:
    digits = f"{value:032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def random_uuid(rng: random.Random) -> str:
    """
    Draw a random version-4 UUID from ``rng`` (seeded: the same draws give the same ids).

    Example::

        brand_id = random_uuid(random.Random(0))
    """
    value = (rng.getrandbits(128) & ~(0xF << 76) & ~(0x3 << 62)) | (4 << 76) | _VARIANT_BIT
    return _uuid(value)


def mix(index: int, key: int) -> int:
    """
    Scramble an index into 62 bits under ``key``: a bijection, undone when an id is located.

    Example::

        low = mix(7, space.key)
        order_id = space.id_of(low)
    """
    value = ((index ^ key) * _MUL) & _MASK62
    value ^= value >> 31
    return (value * _MUL) & _MASK62


def _unmix(low: int, key: int) -> int:
    value = (low * _MUL_INV) & _MASK62
    value ^= value >> 31
    return ((value * _MUL_INV) & _MASK62) ^ key


def _spread(low: int) -> int:
    return ((low * 0x9E3779B97F4A7C15) & _MASK64) ^ (low >> 17)


@attrs.define
class IdSpace:
    """
    One owner's (a campaign's) slice of ids: index <-> UUID, reversibly.

    Example::

        space = IdSpace.draw(rng, owner=0)
        first_id = space.id_of(mix(0, space.key))
    """

    owner: int
    prefix: int
    key: int

    @classmethod
    def draw(cls, rng: random.Random, owner: int) -> IdSpace:
        """
        Draw a space's prefix and key from ``rng``, with no check that the prefix is unused.

        Example::

            phones = IdSpace.draw(rng, campaign_index)
        """
        return cls(owner, rng.getrandbits(64) & _HIGH_MASK, rng.getrandbits(62))

    def id_of(self, low: int) -> str:
        """
        Return the UUID of the item whose index `mix` scrambled into ``low``.

        Example::

            order_id = space.id_of(mix(index, space.key))
        """
        high = ((self.prefix ^ _spread(low)) & _HIGH_MASK) | _VERSION_BITS
        return _uuid((high << 64) | _VARIANT_BIT | low)


class Ids:
    """
    Allocates id spaces with distinct prefixes and finds the owner and index of an id.

    Example::

        ids = Ids()
        space = ids.allocate(rng, owner=3)
        assert ids.locate(space.id_of(mix(5, space.key))) == (3, 5)
    """

    def __init__(self) -> None:
        self._spaces: dict[int, IdSpace] = {}

    def allocate(self, rng: random.Random, owner: int) -> IdSpace:
        """
        Draw a new space for ``owner`` whose prefix no other space of these ids has.

        Example::

            orders = ids.allocate(rng, campaign_index)
        """
        prefix = rng.getrandbits(64) & _HIGH_MASK
        while prefix in self._spaces:
            prefix = rng.getrandbits(64) & _HIGH_MASK
        space = IdSpace(owner, prefix, rng.getrandbits(62))
        self._spaces[prefix] = space
        return space

    def locate(self, uuid: str) -> tuple[int, int] | None:
        """
        Return ``(owner, index)`` of a lower-case UUID, or ``None`` if it is not one of ours.

        The index is not bounded: the caller checks it against the owner's count.

        Example::

            found = ids.locate(order_id)
        """
        if not _UUID_RE.match(uuid):
            return None
        value = int(uuid.replace("-", ""), 16)
        low = value & _MASK62
        space = self._spaces.get(((value >> 64) ^ _spread(low)) & _HIGH_MASK)
        return None if space is None else (space.owner, _unmix(low, space.key))
