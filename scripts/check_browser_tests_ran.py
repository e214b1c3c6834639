"""Fail when a JUnit report shows a browser test skipped (or none at all): in CI
the browser tests must run, not skip."""

import sys
import xml.etree.ElementTree as ET


def main(path: str) -> int:
    root = ET.parse(path).getroot()
    browser = [tc for tc in root.iter("testcase") if tc.get("classname", "").startswith("tests.browser")]
    skipped = [f"{tc.get('classname')}::{tc.get('name')}" for tc in browser if tc.find("skipped") is not None]
    if not browser:
        print("no browser tests ran", file=sys.stderr)
        return 1
    if skipped:
        print("browser tests skipped:\n  " + "\n  ".join(skipped), file=sys.stderr)
        return 1
    print(f"browser tests: {len(browser)} ran, none skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
