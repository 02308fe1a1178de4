#!/usr/bin/env python
"""Convert the DECC hourly phone-statistics file to the ``datetime,volume`` CSV the benchmarks read.

Usage: bench/decc_phone.py --lines 911|admin|total SOURCE.csv.gz OUT.csv
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

COLUMNS = {"911": "911_T", "admin": "ADM_T", "total": "Total"}


def convert(source: str, lines: str) -> pd.DataFrame:
    """Calls offered per hour (answered in any band plus abandoned) on the chosen lines."""
    frame = pd.read_csv(source, dtype=str)
    stamps = pd.to_datetime(frame["DateTime"], format="%m/%d/%Y %H:%M")
    return pd.DataFrame({"datetime": stamps.dt.strftime("%Y-%m-%d %H:%M"),
                         "volume": frame[COLUMNS[lines]].astype(int)})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", choices=sorted(COLUMNS), default="911")
    parser.add_argument("source")
    parser.add_argument("out")
    args = parser.parse_args(argv)
    convert(args.source, args.lines).to_csv(args.out, index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
