"""Generate examples/models/loans.csv: a synthetic table with string categorical columns.

    python -m model_build.example_tables [--out examples/models/loans.csv]

Seeded, rounded and written with fixed formatting, so the file is the same bytes every time
(a test regenerates it and compares).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "examples" / "models" / "loans.csv"
ROWS = 2000
REGIONS = ("north", "south", "east", "west", "central")
PURPOSES = ("car", "home", "education", "business")


def loans_table(rows: int = ROWS, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    region = rng.choice(REGIONS, rows)
    purpose = rng.choice(PURPOSES, rows)
    income = np.round(rng.lognormal(10.5, 0.5, rows), 0)
    amount = np.round(rng.uniform(1_000, 40_000, rows), 0)
    years = rng.integers(0, 30, rows).astype(float)
    years[rng.random(rows) < 0.05] = np.nan  # missing values, as real tables have
    risk = (
        amount / income * 3
        + np.select([region == "south", region == "east"], [0.8, -0.5], 0.0)
        + np.where(purpose == "business", 0.9, 0.0)
        - np.nan_to_num(years, nan=5.0) * 0.04
        + rng.normal(0, 0.6, rows)
    )
    return pd.DataFrame(
        {
            "loan_id": [f"L{i:05d}" for i in range(rows)],
            "region": region,
            "purpose": purpose,
            "income": income,
            "amount": amount,
            "years_employed": years,
            "defaulted": np.where(risk > np.quantile(risk, 0.7), "yes", "no"),
        }
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m model_build.example_tables")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    loans_table().to_csv(args.out, index=False, float_format="%.0f", lineterminator="\n")
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
