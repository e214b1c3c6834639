"""The entry form (contest.forms.entries) holds the entry's rules once: the
page's POST and the JSON autosave go through it; lengths come from the columns."""

from __future__ import annotations

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from contest.domain.entry_fields import DRAFT_FIELDS, FIELD_LABELS, TEXT_FIELDS, TEXT_LIMITS
from contest.forms.entries import EntryForm
from contest.models import Entry


def test_lengths_come_from_the_models_columns():
    assert TEXT_LIMITS["title"] == Entry.__table__.c.title.type.length == 250
    assert TEXT_LIMITS["video_url"] == Entry.__table__.c.video_url.type.length
    assert TEXT_LIMITS["summary"] == Entry.__table__.c.summary.info["max_length"]
    assert set(TEXT_LIMITS) == set(TEXT_FIELDS) and all(isinstance(n, int) and n > 0 for n in TEXT_LIMITS.values())


def test_the_forms_fields_labels_and_lengths_are_the_defined_ones(app):
    with app.test_request_context():
        form = EntryForm(meta={"csrf": False})
        assert {name for name in form._fields if name != "csrf_token"} == set(DRAFT_FIELDS)
        for name in DRAFT_FIELDS:
            assert str(form[name].label.text) == str(FIELD_LABELS[name])
        for name, limit in TEXT_LIMITS.items():
            lengths = [v.max for v in form[name].validators if hasattr(v, "max")]
            assert lengths == [limit], name


def _read(app, values: dict):
    with app.test_request_context():
        form, sent = EntryForm.from_json(values)
        form.validate()
        return form.draft_values(sent)


def test_json_bad_values_are_reported_and_the_rest_kept(app):
    values, errors = _read(
        app,
        {
            "title": "Đã lưu",
            "funding_needed": "nhiều lắm",
            "video_url": "javascript:alert(1)",
            "summary": "x" * 2500,
            "problem": "a\x00b",
            "stage": "flying",
            "company_registered_on": "15/03/2024",
            "unknown": "ignored",
        },
    )
    assert set(errors) == {"funding_needed", "video_url", "summary", "stage", "company_registered_on"}
    assert values == {"title": "Đã lưu", "summary": "x" * 2000, "problem": "ab"}  # too long: what fits is kept


def test_json_values_are_read_as_the_page_sends_them(app):
    values, errors = _read(
        app,
        {
            "board": "3",
            "stage": "idea",
            "company_registered_on": "2024-03-15",
            "funding_needed": "500.000.000",
            "gallery_opt_in": True,
            "website_url": "",
            "title": "  Ngo\u0302\u0300i sao  ",
        },
    )
    assert errors == {}
    assert values == {
        "board": "3",
        "title": "Ngồi sao",
        "website_url": "",
        "stage": "idea",
        "company_registered_on": date(2024, 3, 15),
        "funding_needed": 500_000_000,
        "gallery_opt_in": True,
    }
    assert _read(app, {"gallery_opt_in": False, "funding_needed": ""}) == (
        {"funding_needed": None, "gallery_opt_in": False},
        {},
    )


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_the_page_and_the_autosave_give_the_same_messages(app, locale):
    from flask_babel import force_locale

    bad = {"title": "t" * 300, "video_url": "ftp://x", "funding_needed": "12ab"}
    with app.test_request_context(), force_locale(locale):
        page = EntryForm(formdata=MultiDict(bad), meta={"csrf": False})
        assert not page.validate()
        posted = {key: str(page[key].errors[-1]) for key in bad}
    assert _read(app, bad)[1].keys() == posted.keys()
    with app.test_request_context(), force_locale(locale):
        form, sent = EntryForm.from_json(bad)
        form.validate()
        assert form.draft_values(sent)[1] == posted


def test_a_saved_amount_shows_in_the_pages_language(app):
    from flask_babel import force_locale

    for locale, shown in (("vi", "1.500.000"), ("en", "1,500,000")):
        with app.test_request_context(), force_locale(locale):
            assert EntryForm(data={"funding_needed": 1_500_000}, meta={"csrf": False}).funding_needed._value() == shown


def test_an_amount_in_digits_int_does_not_read_is_refused_with_the_forms_message(app):
    # "²" and "①" pass str.isdigit(); int() refuses them, and its English error must not reach the team.
    for amount in ("5²", "①000"):
        values, errors = _read(app, {"funding_needed": amount})
        assert "funding_needed" in errors and "funding_needed" not in values
        assert "đồng" in str(errors["funding_needed"]) or "dong" in str(errors["funding_needed"]).lower(), errors


@pytest.mark.parametrize("preset", ["provincial", "womens", "media_award"])
def test_form_fields_names_what_the_entry_page_asks(client, db, preset):
    """contest.domain.entries.form_fields (what a nominated draft may carry over from its origin) is the page's form."""
    import re

    from contest.domain.entries import form_fields
    from tests.factories import login, make_competition, make_team

    team = make_team(make_competition(f"form-{preset}".replace("_", "-"), preset=preset), members=1)
    login(client, team.leader)
    page = client.get(f"/teams/{team.id}/entry").get_data(as_text=True)
    form = page[page.index('id="entry-form"') : page.index('id="documents"')]
    asked = set(re.findall(r'name="([a-z_]+)"', form)) & set(DRAFT_FIELDS)
    assert asked == set(form_fields(team.competition))
