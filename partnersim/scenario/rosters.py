"""Built-in alliance rosters: who must agree, by ISO 3166-1 alpha-3 code.

``nato-2020`` is the alliance of the interview (January 2020, 29 allies; North
Macedonia joined on 27 March 2020). ``nato-2024`` is the alliance since Sweden
joined on 7 March 2024 (32 allies); the dates of Finland's and Sweden's
accession are in the shipped domain data. ``eu-2020`` is the European Union's
27 member states since 1 February 2020, for the ``eu-accession`` process.
"""

from __future__ import annotations

NATO_2024: dict[str, str] = {
    "ALB": "Albania",
    "BEL": "Belgium",
    "BGR": "Bulgaria",
    "CAN": "Canada",
    "HRV": "Croatia",
    "CZE": "Czechia",
    "DNK": "Denmark",
    "EST": "Estonia",
    "FIN": "Finland",
    "FRA": "France",
    "DEU": "Germany",
    "GRC": "Greece",
    "HUN": "Hungary",
    "ISL": "Iceland",
    "ITA": "Italy",
    "LVA": "Latvia",
    "LTU": "Lithuania",
    "LUX": "Luxembourg",
    "MNE": "Montenegro",
    "NLD": "Netherlands",
    "MKD": "North Macedonia",
    "NOR": "Norway",
    "POL": "Poland",
    "PRT": "Portugal",
    "ROU": "Romania",
    "SVK": "Slovakia",
    "SVN": "Slovenia",
    "ESP": "Spain",
    "SWE": "Sweden",
    "TUR": "Türkiye",
    "GBR": "United Kingdom",
    "USA": "United States",
}

NATO_2020: dict[str, str] = {
    code: name for code, name in NATO_2024.items() if code not in {"FIN", "SWE", "MKD"}
}

# The member states of the European Union since the United Kingdom left on 1 February 2020 (27).
EU_2020: dict[str, str] = {
    "AUT": "Austria",
    "BEL": "Belgium",
    "BGR": "Bulgaria",
    "HRV": "Croatia",
    "CYP": "Cyprus",
    "CZE": "Czechia",
    "DNK": "Denmark",
    "EST": "Estonia",
    "FIN": "Finland",
    "FRA": "France",
    "DEU": "Germany",
    "GRC": "Greece",
    "HUN": "Hungary",
    "IRL": "Ireland",
    "ITA": "Italy",
    "LVA": "Latvia",
    "LTU": "Lithuania",
    "LUX": "Luxembourg",
    "MLT": "Malta",
    "NLD": "Netherlands",
    "POL": "Poland",
    "PRT": "Portugal",
    "ROU": "Romania",
    "SVK": "Slovakia",
    "SVN": "Slovenia",
    "ESP": "Spain",
    "SWE": "Sweden",
}

ROSTERS: dict[str, dict[str, str]] = {"nato-2020": NATO_2020, "nato-2024": NATO_2024, "eu-2020": EU_2020}

# When each ally that was not one of the twelve founding members joined NATO, as precisely as the shipped data
# date it (YYYY, YYYY-MM or YYYY-MM-DD): partnersim/data/accessions.csv and SOURCES.md ("Allies over time").
NATO_JOINED: dict[str, str] = {
    "GRC": "1952", "TUR": "1952", "DEU": "1955-05", "ESP": "1982-05-30",
    "CZE": "1999-03-12", "HUN": "1999-03-12", "POL": "1999-03-12",
    "BGR": "2004-03-29", "EST": "2004-03-29", "LVA": "2004-03-29", "LTU": "2004-03-29", "ROU": "2004-03-29",
    "SVK": "2004-03-29", "SVN": "2004-03-29", "ALB": "2009-04-01", "HRV": "2009-04-01", "MNE": "2017-06-05",
    "MKD": "2020-03-27", "FIN": "2023-04-04", "SWE": "2024-03-07",
}
