"""GACC cross-border e-commerce CEB messages and the DXP envelope (being built)."""


def adapters() -> list:
    return []
