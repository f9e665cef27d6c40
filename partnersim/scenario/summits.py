"""The recorded NATO summits and leaders' meetings, by their first day.

From the domain notes' list of summits (NATO's Italian delegation,
rappnato.esteri.it; Wikipedia, "NATO summit"): Washington 1999 to The Hague
2025. The 2026 summit in Türkiye has no recorded date and the 2022 Brussels
extraordinary summit no recorded day, so neither is listed; a scenario adds
future summits under ``calendar.summits.dates``.
"""

from __future__ import annotations

import datetime as dt

SUMMITS: tuple[tuple[dt.date, str], ...] = tuple(
    (dt.date.fromisoformat(day), place)
    for day, place in (
        ("1999-04-23", "Washington"),
        ("2001-06-13", "Brussels"),
        ("2002-05-28", "Rome"),
        ("2002-11-21", "Prague"),
        ("2004-06-28", "Istanbul"),
        ("2005-02-22", "Brussels"),
        ("2006-11-28", "Riga"),
        ("2008-04-02", "Bucharest"),
        ("2009-04-03", "Strasbourg–Kehl"),
        ("2010-11-19", "Lisbon"),
        ("2012-05-20", "Chicago"),
        ("2014-09-04", "Newport"),
        ("2016-07-08", "Warsaw"),
        ("2017-05-25", "Brussels"),
        ("2018-07-11", "Brussels"),
        ("2019-12-03", "London"),
        ("2021-06-14", "Brussels"),
        ("2022-06-28", "Madrid"),
        ("2023-07-11", "Vilnius"),
        ("2024-07-09", "Washington"),
        ("2025-06-24", "The Hague"),
    )
)
