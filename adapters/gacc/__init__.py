"""gacc adapters."""

from hub.adapters import Adapter


def adapters() -> list[Adapter]:
    return []
