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
