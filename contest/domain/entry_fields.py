"""An entry's fields, defined once: which there are, their labels, their
lengths (read from the model's columns) and how typed text is cleaned. The
entry form (contest.forms.entries) builds its fields and rules from these, and
the domain (contest.domain.entries) names the fields with the same labels."""

from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l

from contest.models import Entry, EntryStage, MediaType
from contest.models.base import length_of

TEXT_FIELDS = (
    "title",
    "summary",
    "problem",
    "solution",
    "customers_market",
    "business_model",
    "team_strengths",
    "video_url",
    "website_url",
)
URL_FIELDS = ("video_url", "website_url")


# A text field of the form without a length on its column fails here, at import: declare one there.
TEXT_LIMITS: dict[str, int] = {name: length_of(Entry.__table__.c[name]) for name in TEXT_FIELDS}
REQUIRED_TEXT = ("title", "summary", "problem", "solution", "customers_market", "business_model")
# Every field a draft saves, in the form's order.
# The two facts of a women-owned business, asked in women's contests: "yes", "no" or "" (not given).
WOMEN_OWNED_FACTS = ("women_own_majority", "woman_manages")
# A press work's own fields (the media award), asked instead of the business plan's.
PRESS_FIELDS = ("media_type", "outlet", "published_on", "work_url")
# A press work's medium as the pages name it (the same words as the entry form's choices).
MEDIA_LABELS = {
    MediaType.print: _l("Print newspaper or magazine"),
    MediaType.online: _l("Online newspaper"),
    MediaType.radio: _l("Radio"),
    MediaType.television: _l("Television"),
    MediaType.social: _l("Social media"),
}
STAGE_LABELS = {
    EntryStage.idea: _l("Idea"),
    EntryStage.prototype: _l("Prototype"),
    EntryStage.on_market: _l("On the market"),
    EntryStage.registered_company: _l("Registered company"),
}
BUSINESS_FIELDS = ("problem", "solution", "customers_market", "business_model", "team_strengths", "funding_needed")
DRAFT_FIELDS = (
    "board",
    "field",
    *TEXT_FIELDS,
    "stage",
    "company_registered_on",
    "funding_needed",
    *WOMEN_OWNED_FACTS,
    *PRESS_FIELDS,
    "gallery_opt_in",
)
FIELD_LABELS = {
    "board": _l("Board"),
    "field": _l("Field"),
    "title": _l("Project title"),
    "summary": _l("Summary"),
    "problem": _l("Problem"),
    "solution": _l("Solution"),
    "customers_market": _l("Customers and market"),
    "business_model": _l("Business model"),
    "stage": _l("Stage"),
    "team_strengths": _l("Team strengths"),
    "funding_needed": _l("Funding needed (đồng)"),
    "company_registered_on": _l("Date of business registration"),
    "video_url": _l("Video link"),
    "website_url": _l("Website"),
    "gallery_opt_in": _l("Show in the public gallery"),
    "media_type": _l("Medium"),
    "outlet": _l("Outlet (newspaper, radio or television station, page)"),
    "published_on": _l("Date of publication or broadcast"),
    "work_url": _l("Link to the published work"),
    "women_own_majority": _l("Women own at least 51 percent of the company's charter capital"),
    "woman_manages": _l("At least one of these women manages the company (director or deputy director)"),
}
FUNDING_MAX_DIGITS = 15  # a BIGINT holds 18; no project needs a trillion đồng


def clean_text(value) -> str:
    """NFC, no NUL or other control characters except line breaks and tabs."""
    text = unicodedata.normalize("NFC", str(value or ""))
    # Autosave sends every field on each pause: most text has nothing to drop, and
    # isprintable() (False for every Cc and Cf character) says so without a
    # Python loop over thousands of characters.
    if text.replace("\n", "").replace("\t", "").isprintable():
        return text.strip()
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf")).strip()
    return unicodedata.normalize("NFC", text)  # a dropped character may have parted a letter from its mark
