"""UN/EDIFACT: CUSCAR, CUSDEC, IFTMIN, PAXLST; CONTRL, APERAK, CUSRES receipts (being built)."""


def adapters() -> list:
    return []
