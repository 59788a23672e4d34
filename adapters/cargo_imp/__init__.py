"""IATA Cargo-IMP text: FWB, FHL, FFM, FSU; FMA/FNA receipts; Type-B envelope (being built)."""


def adapters() -> list:
    return []
