"""Quality of the name matcher on the generated labelled set (``bench/name_pairs.py``).

Prints precision, recall and the confusion table at ``SAME_PERSON_THRESHOLD``, the error rate per pair
kind, and exits non-zero below the targets (precision >= 0.97, recall >= 0.95).
Run from the repository root: ``.venv/bin/python bench/matching_quality.py [-v]`` (-v lists the errors).
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from name_pairs import Pair, generate  # noqa: E402

from waypoint.people.matching import SAME_PERSON_THRESHOLD, pair_score  # noqa: E402

TARGET_PRECISION = 0.97
TARGET_RECALL = 0.95


def evaluate(pairs: list[Pair]) -> dict[str, object]:
    """Confusion counts at the threshold, with the misclassified pairs."""
    counts: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    errors_by_kind: Counter[str] = Counter()
    errors: list[tuple[float, Pair]] = []
    for pair in pairs:
        score = pair_score(pair.a, pair.b)
        predicted = score >= SAME_PERSON_THRESHOLD
        counts[("t" if predicted == pair.same else "f") + ("p" if predicted else "n")] += 1
        kind = pair.kind.split("/")[0] if pair.same else pair.kind
        by_kind[kind] += 1
        if predicted != pair.same:
            errors_by_kind[kind] += 1
            errors.append((score, pair))
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    return {
        "counts": counts,
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "by_kind": by_kind,
        "errors_by_kind": errors_by_kind,
        "errors": errors,
    }


def main(verbose: bool = False) -> int:
    pairs = generate()
    started = time.perf_counter()
    result = evaluate(pairs)
    elapsed = time.perf_counter() - started
    counts = result["counts"]
    hard = sum(1 for p in pairs if p.kind.startswith("hard:"))
    print(f"pairs: {len(pairs)} (same person {sum(p.same for p in pairs)}, hard negatives {hard})")
    print(f"threshold: {SAME_PERSON_THRESHOLD}")
    print("confusion table:            predicted same   predicted different")
    print(f"  actually same person       {counts['tp']:>14}   {counts['fn']:>19}")
    print(f"  actually different people  {counts['fp']:>14}   {counts['tn']:>19}")
    print(f"precision: {result['precision']:.4f} (target {TARGET_PRECISION})")
    print(f"recall:    {result['recall']:.4f} (target {TARGET_RECALL})")
    print(
        "errors by kind:",
        ", ".join(f"{k} {result['errors_by_kind'][k]}/{n}" for k, n in sorted(result["by_kind"].items())),
    )
    # second pass: caches are warm, so this is the steady-state cost of pair_score
    started = time.perf_counter()
    for pair in pairs:
        pair_score(pair.a, pair.b)
    warm = time.perf_counter() - started
    print(f"pair_score: {elapsed / len(pairs) * 1e6:.0f} µs/pair cold, {warm / len(pairs) * 1e6:.0f} µs/pair warm")
    if verbose:
        for score, pair in sorted(result["errors"], key=lambda e: e[0]):
            print(f"{score:.3f} {pair.kind}\n  {pair.a}\n  {pair.b}")
    ok = result["precision"] >= TARGET_PRECISION and result["recall"] >= TARGET_RECALL
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(verbose="-v" in sys.argv))
