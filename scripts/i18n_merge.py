"""Merge Vietnamese translations from a JSON file of {msgid: msgstr} into the vi catalog.

Usage: python scripts/i18n_merge.py translations.json
Used when a batch of new strings arrives; day-to-day edits go straight into
contest/translations/vi/LC_MESSAGES/messages.po."""

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "contest" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"


def main(path: str) -> None:
    updates = json.loads(Path(path).read_text(encoding="utf-8"))
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="vi")
    unknown = []
    for msgid, msgstr in updates.items():
        message = catalog.get(msgid)
        if message is None:
            unknown.append(msgid)
            continue
        message.string = msgstr
        message.flags.discard("fuzzy")
    with PO.open("wb") as fh:
        write_po(fh, catalog, width=100, sort_output=True, omit_header=False)
    missing = [m.id for m in catalog if m.id and not m.string]
    print(f"merged {len(updates) - len(unknown)}; unknown {len(unknown)}; still untranslated {len(missing)}")
    for msgid in missing:
        print("  untranslated:", msgid)
    for msgid in unknown:
        print("  not in catalog:", msgid)


if __name__ == "__main__":
    main(sys.argv[1])
