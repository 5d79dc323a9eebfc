"""Counts every test of every runner from their JUnit XML reports and prints
the one summary line `.ci/run` ends with: `N passed, N failed, N skipped`.

Usage: summarize.py REPORT.xml [REPORT.xml ...]
A report that is missing, unreadable or empty counts as one failed test: a
runner that crashed before running its tests must not look green.
Exit status: 1 if anything failed, else 0.
"""

import sys
import xml.etree.ElementTree as ET


def count(path):
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as error:
        print(f"summarize: {path}: no readable report ({error})", file=sys.stderr)
        return 0, 1, 0
    passed = failed = skipped = 0
    cases = list(root.iter("testcase"))
    if not cases:
        # A runner that stopped before its tests (a server that would not
        # start, say) may still write an empty report: that is not green.
        print(f"summarize: {path}: the report holds no test", file=sys.stderr)
        return 0, 1, 0
    for case in cases:
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped


def main(paths):
    totals = [0, 0, 0]
    for path in paths:
        p, f, s = count(path)
        print(f"summarize: {path}: {p} passed, {f} failed, {s} skipped", file=sys.stderr)
        totals = [totals[0] + p, totals[1] + f, totals[2] + s]
    passed, failed, skipped = totals
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
