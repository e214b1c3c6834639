"""Every user-facing string has its Vietnamese text."""

import collections
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
METHODS = [
    ("contest/**.py", "python"),
    ("judging/**.py", "python"),
    ("templates/**.html", "jinja2"),
    ("templates/**.txt", "jinja2"),
]


def _extracted_ids() -> set[str]:
    ids = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=METHODS, keywords=KEYWORDS
    ):
        ids.add(message[0] if isinstance(message, tuple) else message)
    return ids


def test_every_string_has_a_vietnamese_translation():
    with (ROOT / "contest/translations/vi/LC_MESSAGES/messages.po").open("rb") as fh:
        catalog = read_po(fh, locale="vi")
    translated = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog if m.id}
    missing = sorted(i for i in _extracted_ids() if i not in translated or not translated[i].string)
    fuzzy = sorted(m_id for m_id, m in translated.items() if m.fuzzy)
    assert not missing, "untranslated (run `make messages`, then translate): " + "; ".join(missing)
    assert not fuzzy, "fuzzy translations to review: " + "; ".join(fuzzy)


def test_no_message_is_translated_twice():
    """A msgid written twice keeps one of its translations, silently (read_po merges them)."""
    text = (ROOT / "contest/translations/vi/LC_MESSAGES/messages.po").read_text(encoding="utf-8")
    ids = ["".join(re.findall(r'"(.*)"', block)) for block in re.findall(r'^msgid ((?:".*"\n)+)', text, re.M)]
    twice = sorted(i for i, n in collections.Counter(ids).items() if n > 1 and i)
    assert not twice, "translated twice: " + "; ".join(twice)
