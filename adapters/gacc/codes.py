"""GACC code lists <-> the canonical model's international codes.

The canonical model holds ISO 3166 alpha-2 countries, ISO 4217 currencies,
UN/ECE Rec 20 units and Rec 19 transport modes; GACC messages use their own
lists. The tables below are deliberately small and explicit: a code outside
them is an error that names the field, never a silent guess.

Countries and currencies come in two generations. The H2000-era declaration
used 3-digit numbers (country 142 = China, 502 = United States; currency
142 = CNY, 502 = USD, 300 = EUR); the single window's 2018 declaration uses
ISO alpha-3 countries (CHN, USA) and ISO currency letters (CNY, USD). Both are
read; the letter forms are written. Units keep the 3-digit GACC list
(007 = piece, 035 = kilogram) in both generations.

GACC's unit list (计量单位代码) also has package units (120 箱, 142 瓶 ...), which
Rec 20 expresses as ``X`` + the Rec 21 package type code (XCT carton, XBO bottle):
that is the unit the WCO reader gives a quantity counted in packages. Each GACC
unit reads as one Rec 20 code; a few other Rec 20 codes for the same GACC unit
are written too (UNIT_ALIASES: PCE piece, XCS case, XCA can, XPA packet) and so
read back as that one code. A unit with no GACC equivalent (LPA, litre of pure
alcohol, say) is refused, never approximated.
"""

from __future__ import annotations

from lxml import etree

from hub.errors import ConversionError, ParseError
from hub.models import TransportMode
from hub.validation import element_path

# alpha-2, GACC numeric, ISO alpha-3
_COUNTRIES = (
    ("CN", "142", "CHN"), ("HK", "110", "HKG"), ("MO", "121", "MAC"), ("TW", "143", "TWN"),
    ("JP", "116", "JPN"), ("KR", "133", "KOR"), ("SG", "132", "SGP"), ("MY", "122", "MYS"),
    ("TH", "136", "THA"), ("VN", "141", "VNM"), ("ID", "112", "IDN"), ("PH", "129", "PHL"),
    ("IN", "111", "IND"), ("AE", "138", "ARE"), ("SA", "131", "SAU"), ("TR", "137", "TUR"),
    ("BE", "301", "BEL"), ("DK", "302", "DNK"), ("GB", "303", "GBR"), ("DE", "304", "DEU"),
    ("FR", "305", "FRA"), ("IE", "306", "IRL"), ("IT", "307", "ITA"), ("NL", "309", "NLD"),
    ("ES", "312", "ESP"), ("AT", "315", "AUT"), ("FI", "318", "FIN"), ("SE", "330", "SWE"),
    ("CH", "331", "CHE"), ("RU", "344", "RUS"), ("CA", "501", "CAN"), ("US", "502", "USA"),
    ("AU", "601", "AUS"), ("NZ", "609", "NZL"),
)
COUNTRY_IN = {**{n: a2 for a2, n, _ in _COUNTRIES}, **{a3: a2 for a2, _, a3 in _COUNTRIES}}
COUNTRY_OUT = {a2: a3 for a2, _, a3 in _COUNTRIES}

# ISO 4217, GACC numeric (the old currency list reuses the issuing country's number)
_CURRENCIES = (
    ("CNY", "142"), ("HKD", "110"), ("MOP", "121"), ("TWD", "143"), ("JPY", "116"),
    ("KRW", "133"), ("SGD", "132"), ("MYR", "122"), ("THB", "136"), ("EUR", "300"),
    ("GBP", "303"), ("CHF", "331"), ("SEK", "330"), ("DKK", "302"), ("RUB", "344"),
    ("USD", "502"), ("CAD", "501"), ("AUD", "601"), ("NZD", "609"),
)
CURRENCY_IN = {**{n: iso for iso, n in _CURRENCIES}, **{iso: iso for iso, _ in _CURRENCIES}}
CURRENCY_OUT = {iso: iso for iso, _ in _CURRENCIES}

# GACC unit (计量单位) -> UN/ECE Rec 20
UNIT_IN = {
    "001": "C62",  # 台 set of machinery, counted as "one"
    "006": "SET",  # 套
    "007": "H87",  # 个 piece
    "011": "NAR",  # 件 article
    "025": "PR",   # 双 pair
    "030": "MTR",  # 米
    "032": "MTK",  # 平方米
    "033": "MTQ",  # 立方米
    "035": "KGM",  # 千克
    "036": "GRM",  # 克
    "054": "T3",   # 千个 thousand pieces
    "070": "TNE",  # 吨
    "095": "LTR",  # 升
    "096": "MLT",  # 毫升
    "127": "DZN",  # 打 dozen
    # package units: X + Rec 21 package type
    "120": "XCT",  # 箱 case, carton
    "122": "XCX",  # 罐 can
    "125": "XPK",  # 包 package, pack
    "136": "XBG",  # 袋 bag
    "140": "XBX",  # 盒 box
    "142": "XBO",  # 瓶 bottle
}
UNIT_ALIASES = {
    "PCE": "007",  # withdrawn Rec 20 piece
    "XCS": "120",  # case: also 箱 (read back as XCT)
    "XCA": "122",  # rectangular can: also 罐 (read back as XCX)
    "XPA": "125",  # packet: also 包 (read back as XPK)
}
UNIT_OUT = {**{rec20: gacc for gacc, rec20 in UNIT_IN.items()}, **UNIT_ALIASES}
WEIGHT_UNITS = frozenset({"KGM", "GRM", "TNE"})

# Customs declaration TrafMode (运输方式): the customs' whole list. 2 waterway, 3 rail, 4 road
# and 5 air are canonical transport modes; the others name a special area or a way of carrying
# (goods moved into a bonded zone or logistics centre, by post, by a traveller ...) with no Rec 19
# mode of their own: they are read (the declaration has no canonical transport mode) and accepted.
TRAF_MODES = {
    "0": "非保税区 non-bonded area", "1": "监管仓库 bonded warehouse (supervised)", "2": "水路运输 waterway",
    "3": "铁路运输 rail", "4": "公路运输 road", "5": "航空运输 air", "6": "邮件运输 post",
    "7": "保税区 bonded zone", "8": "保税仓库 bonded warehouse", "9": "其它方式运输 other",
    "G": "固定设施运输 fixed installations (pipeline, power line)", "H": "边境特殊海关作业区 border special zone",
    "L": "旅客携带 carried by a traveller", "P": "洋浦保税港区 Yangpu bonded port area",
    "S": "特殊综合保税区 special comprehensive bonded zone", "T": "综合实验区 comprehensive pilot zone",
    "W": "物流中心 logistics centre", "X": "物流园区 logistics park", "Y": "保税港区/综合保税区 bonded port area",
    "Z": "出口加工区 export processing zone",
}
TRAF_MODE_IN = {"2": TransportMode.SEA, "3": TransportMode.RAIL, "4": TransportMode.ROAD,
                "5": TransportMode.AIR}
TRAF_MODE_OUT = {mode: code for code, mode in TRAF_MODE_IN.items()}
TRAF_MODE_ANY = {code: TRAF_MODE_IN.get(code) for code in TRAF_MODES}
"""Every customs TrafMode -> its canonical mode, None for the modes Rec 19 has no place for."""


def read(table: dict[str, str], kind: str, el: etree._Element | None, value: str | None):
    """Map a GACC code read from ``el``; an unknown code is a parse error naming the element."""
    if value is None:
        return None
    try:
        return table[value]
    except KeyError:
        field = etree.QName(el).localname if el is not None else kind
        raise ParseError(f"{field} {value!r} is not a {kind} code the hub maps "
                         f"(known: {', '.join(sorted(table))})", code="CODE_UNMAPPED",
                         line=None if el is None else el.sourceline,
                         path=None if el is None else element_path(el)) from None


def write(table: dict, kind: str, pointer: str, value):
    """Map a canonical code to GACC; an unknown one is a conversion error naming the field."""
    if value is None:
        return None
    try:
        return table[value]
    except KeyError:
        raise ConversionError(f"{pointer}: {kind} {getattr(value, 'value', value)!r} has no GACC "
                              f"code in the hub's table", code="CODE_UNMAPPED", path=pointer) from None
