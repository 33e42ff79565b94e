"""Print how many tests ran in each phase of `make test`, and the total, from JUnit XML files."""

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL", "browser": "Chromium"}


def counts(path: Path) -> tuple[int, int, int]:
    suite = ET.parse(path).getroot()  # noqa: S314 (pytest output written by this run)
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    tests, failures, errors, skipped = (
        int(suite.get(key, 0)) for key in ("tests", "failures", "errors", "skipped")
    )
    return tests - failures - errors - skipped, failures + errors, skipped


def main(paths: list[str]) -> int:
    total_passed = total_failed = total_skipped = 0
    ok = True
    for name in paths:
        path = Path(name)
        label = LABELS.get(path.stem, path.stem)
        if not path.exists():
            print(f"{label}: did not run")
            ok = False
            continue
        passed, failed, skipped = counts(path)
        print(f"{label}: {passed} passed, {failed} failed, {skipped} skipped")
        if passed == 0:
            ok = False
        total_passed += passed
        total_failed += failed
        total_skipped += skipped
    print(f"{total_passed} passed, {total_failed} failed, {total_skipped} skipped")
    return 0 if ok and total_failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
