# check_dump.py -- interop tests: compare what scuot read from a fixture (scuot_h5dump JSON) with what python
# reported when it wrote the fixture (make_fixtures.py).  Exit 0 when they agree, 1 with the differences.
"""Usage: check_dump.py EXPECTED.json GOT.json"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import canon  # noqa: E402


def main():
    with open(sys.argv[1]) as fp:
        expected = json.load(fp)
    with open(sys.argv[2]) as fp:
        got = canon.from_dump(json.load(fp))
    errs = canon.compare(expected, got)
    name = os.path.basename(sys.argv[1]).replace(".expected.json", "")
    if errs:
        print(f"FAIL {name}: scuot read (observed) differs from python (expected):")
        for e in errs:
            print("  " + e)
        return 1
    print(f"ok   {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
