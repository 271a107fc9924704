"""Write the datasets: Parquet (typed) and CSV (UTF-8 with BOM, so Excel opens Chinese
text correctly). The same reports always give the same bytes."""
from __future__ import annotations

from pathlib import Path

import pandas as pd


def write_datasets(frames: dict[str, pd.DataFrame], out: str | Path, formats=("parquet", "csv")) -> list[Path]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in frames.items():
        if "parquet" in formats:
            p = out / f"{name}.parquet"
            df.to_parquet(p, index=False, compression="zstd")
            written.append(p)
        if "csv" in formats:
            p = out / f"{name}.csv"
            df.to_csv(p, index=False, encoding="utf-8-sig", lineterminator="\n")
            written.append(p)
    return written
