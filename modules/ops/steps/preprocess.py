"""Pipeline step 1 (SageMaker Processing): split the labelled CSV into train and test sets.

Input: one or more CSV files with a header and a numeric `target` column.
Output: train/train.csv and test/test.csv, same columns, stratified by target; features/features.csv,
the training rows without the target and without a header: what the endpoint receives, for Model
Monitor's data-quality baseline (its columns are _c0, _c1, ... as the record preprocessor names them).
"""
from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

PROCESSING = Path("/opt/ml/processing")


def read_rows(input_dir: Path) -> tuple[list[str], list[list[str]]]:
    files = sorted(input_dir.glob("*.csv"))
    if not files:
        raise SystemExit(f"no CSV files in {input_dir}")
    header: list[str] = []
    rows: list[list[str]] = []
    for path in files:
        with path.open(newline="") as handle:
            reader = csv.reader(handle)
            file_header = next(reader)
            if header and file_header != header:
                raise SystemExit(f"{path.name} has other columns than {files[0].name}")
            header = file_header
            rows.extend(row for row in reader if row)
    if "target" not in header:
        raise SystemExit("the data has no `target` column")
    return header, rows


def split(header: list[str], rows: list[list[str]], test_fraction: float, seed: int) -> tuple[list[list[str]], list[list[str]]]:
    """Stratified split: each class contributes test_fraction of its rows to the test set."""
    target = header.index("target")
    by_class: dict[str, list[list[str]]] = {}
    for row in rows:
        by_class.setdefault(row[target], []).append(row)
    rng = random.Random(seed)
    train: list[list[str]] = []
    test: list[list[str]] = []
    for label in sorted(by_class):
        members = by_class[label]
        rng.shuffle(members)
        cut = max(1, round(len(members) * test_fraction))
        test.extend(members[:cut])
        train.extend(members[cut:])
    return train, test


def write(path: Path, header: list[str] | None, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        if header is not None:
            writer.writerow(header)
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input-dir", type=Path, default=PROCESSING / "input" / "data")
    parser.add_argument("--output-dir", type=Path, default=PROCESSING)
    parser.add_argument("--test-fraction", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    header, rows = read_rows(args.input_dir)
    train, test = split(header, rows, args.test_fraction, args.seed)
    write(args.output_dir / "train" / "train.csv", header, train)
    write(args.output_dir / "test" / "test.csv", header, test)
    target = header.index("target")
    write(args.output_dir / "features" / "features.csv", None, [[v for i, v in enumerate(row) if i != target] for row in train])
    print(f"preprocess: {len(train)} training rows, {len(test)} test rows")


if __name__ == "__main__":
    main()
