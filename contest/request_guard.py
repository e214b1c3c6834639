"""What a request may carry, checked before the app reads it.

Bodies: each route says what it takes (`takes_json`, `takes_upload`; any other
route taking POST takes an ordinary form) and its limit is set on the request
before anything reads it: a larger Content-Length gets 413 without one byte
read, and a body without a length is cut off at the limit. Routes that take no
body (GET and the like) take none at all. A route that needs a signed-in user
answers an anonymous form as `access` would (401 or the log-in page) before
CSRF's check reads it; JSON is read by the view only, after `access`.

Text: PostgreSQL text can hold neither NUL nor half of a character, so a NUL, a
lone surrogate (half of an emoji) or bytes that are not UTF-8, in the path,
the query, a form field or a JSON string, are refused with 400 and a message,
where the value is parsed: a body is only checked when a view reads it. JSON
nested deeper than `MAX_JSON_DEPTH` is refused the same way.

Ids: the app's `int` URL converter stops at the database's integer range, so
`/api/rounds/99999999999/...` is a 404, not a database error; `fits_db_integer`
is the same bound for ids sent in JSON.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from urllib.parse import parse_qsl

from flask import Flask, Request, current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.formparser import FormDataParser
from werkzeug.routing import IntegerConverter
from werkzeug.utils import cached_property

from contest.access import refuse_anonymous

MB = 1024 * 1024
# PostgreSQL's `integer`, which every id column is.
DB_INT_MIN, DB_INT_MAX = -(2**31), 2**31 - 1
# Every JSON body the app takes is one object of plain values; 32 leaves room.
MAX_JSON_DEPTH = 32
# An upload route takes its files plus an ordinary form beside them.
UPLOAD_FORM_ALLOWANCE = MB

_SURROGATE = re.compile("[\ud800-\udfff]")
_BODYLESS_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def fits_db_integer(value: object) -> bool:
    """An int (not a bool) the database's integer columns can hold."""
    return isinstance(value, int) and not isinstance(value, bool) and DB_INT_MIN <= value <= DB_INT_MAX


def db_id(text: str) -> int:
    """`type=` for ids read from a form or query: out of range is not an id
    (MultiDict.get returns its default, getlist skips it)."""
    value = int(text)
    if not 0 < value <= DB_INT_MAX:
        raise ValueError(text)
    return value


# -- what a route takes ------------------------------------------------------------


def takes_json(max_bytes: int | None = None):
    """The view reads a JSON body of at most `max_bytes` (default MAX_JSON_REQUEST)."""
    return _takes("json", max_bytes)


def takes_upload(max_file_bytes: int | Callable[..., int]):
    """The view reads files of at most `max_file_bytes` together, beside a form; or as
    many as `max_file_bytes(**view_args)` says, for a limit that depends on the address
    (a media award's entry takes a recording as large as its organizer set)."""
    if callable(max_file_bytes):
        by_address = max_file_bytes
        return _takes("upload", lambda **view_args: by_address(**view_args) + UPLOAD_FORM_ALLOWANCE)
    return _takes("upload", max_file_bytes + UPLOAD_FORM_ALLOWANCE)


def _takes(kind: str, max_bytes: int | Callable[..., int] | None):
    def decorator(view):
        view.request_body = (kind, max_bytes)  # `access` and `wraps` carry it to the registered view
        return view

    return decorator


def body_rule(method: str, view) -> tuple[str, int]:
    """(kind, limit in bytes) of a request body for this method and view:
    "none" 0, "form", "json" or "upload"; never above MAX_CONTENT_LENGTH."""
    if method in _BODYLESS_METHODS or view is None:
        return "none", 0
    config = current_app.config
    kind, limit = getattr(view, "request_body", ("form", None))
    if callable(limit):
        limit = limit(**(request.view_args or {}))
    if limit is None:
        limit = config["MAX_JSON_REQUEST"] if kind == "json" else config["MAX_FORM_REQUEST"]
    ceiling = config.get("MAX_CONTENT_LENGTH")
    return kind, min(limit, ceiling) if ceiling else limit


# -- refused text --------------------------------------------------------------------


class RefusedText(BadRequest):
    """A value the database cannot store, or JSON too deep to read: 400."""

    def __init__(self, reason: str):
        super().__init__()
        self.reason = reason  # nul_character | broken_character | too_deep

    def message(self) -> str:
        if self.reason == "nul_character":
            return _(
                "The text contains an invisible control character (NUL) that cannot be saved. "
                "Delete it, or type the text again, and send it once more."
            )
        if self.reason == "too_deep":
            return _("The data sent is nested too deeply to be read. Nothing was saved.")
        return _(
            "The text contains half of a character (for example half of an emoji) or bytes that are not "
            "text, which cannot be saved. Delete that character, or type the text again, and send it once more."
        )


def check_text(value: str) -> None:
    if "\x00" in value:
        raise RefusedText("nul_character")
    if not value.isascii() and _SURROGATE.search(value):
        raise RefusedText("broken_character")


def _check_pairs(pairs) -> None:
    for key, value in pairs:
        check_text(key)
        check_text(value)


def check_json(value: object) -> None:
    """Every key and string of a parsed JSON value, and its depth, without recursion."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            check_text(item)
        elif isinstance(item, dict | list):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise RefusedText("too_deep")
            if isinstance(item, dict):
                for key, child in item.items():
                    check_text(key)
                    stack.append((child, depth))
            else:
                stack.extend((child, depth) for child in item)


def _strict_pairs(raw: bytes) -> list[tuple[str, str]]:
    """Query or urlencoded form pairs, refusing what is not UTF-8 (Werkzeug
    would keep such bytes percent-encoded, as text nobody typed)."""
    try:
        pairs = parse_qsl(raw.decode(), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise RefusedText("broken_character") from None
    _check_pairs(pairs)
    return pairs


class _FormParser(FormDataParser):
    def parse(self, stream, mimetype, content_length, options=None):
        if mimetype == "application/x-www-form-urlencoded":
            # Read only up to the request's limit (the stream is a LimitedStream).
            return stream, self.cls(_strict_pairs(stream.read())), self.cls()
        stream, form, files = super().parse(stream, mimetype, content_length, options)
        _check_pairs(form.items(multi=True))  # multipart: Werkzeug already replaced bytes that are not UTF-8
        return stream, form, files


class GuardedRequest(Request):
    """Flask's request with the text checks where values are parsed."""

    form_data_parser_class = _FormParser
    body_kind = "none"  # set per request by the guard, for the 413 message
    _checked_json = None

    @cached_property
    def args(self):
        try:
            return self.parameter_storage_class(_strict_pairs(self.query_string))
        except RefusedText:
            # Refused once (by the guard before any view); whatever reads it later sees nothing.
            self.__dict__["args"] = self.parameter_storage_class()
            raise

    @property
    def full_path(self) -> str:
        # Werkzeug's decodes the query strictly; error pages show this path in a link.
        return f"{self.path}?{self.query_string.decode(errors='replace')}"

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True):
        try:
            value = super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError:
            raise RefusedText("too_deep") from None
        if value is not None and value is not self._checked_json:
            check_json(value)
            self._checked_json = value
        return value


class DatabaseIntConverter(IntegerConverter):
    """`<int:...>` that matches only what an integer column can hold (else 404)."""

    regex = r"\d{1,10}"

    def __init__(self, map, fixed_digits=0, min=None, max=DB_INT_MAX, signed=False):  # noqa: A002 - Werkzeug's names
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


# -- installing ------------------------------------------------------------------------


def install(app: Flask) -> None:
    """Call before any other `before_request` that may read the request, and
    before routes are added (the converter)."""
    app.request_class = GuardedRequest
    app.url_map.converters["int"] = DatabaseIntConverter
    app.before_request(guard_request)


class _CappedInput(io.RawIOBase):
    """A body without a Content-Length: 413 as soon as it turns out longer
    than the limit (one byte beyond it), instead of being cut short silently."""

    def __init__(self, stream, limit: int):
        super().__init__()
        self._stream, self._limit, self._seen = stream, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._stream.read(min(len(buffer), self._limit - self._seen))
        self._seen += len(data)
        # Werkzeug reads no further than the limit: look one byte beyond it.
        if self._seen == self._limit and self._stream.read(1):
            raise RequestEntityTooLarge()
        buffer[: len(data)] = data
        return len(data)


def _may_have_body(req: Request) -> bool:
    return bool(req.content_length) or "chunked" in req.headers.get("Transfer-Encoding", "").lower()


def guard_request():
    req = request._get_current_object()
    assert isinstance(req, GuardedRequest)  # noqa: S101 - install_request_guard sets the request class
    view = None if req.routing_exception is not None else current_app.view_functions.get(req.endpoint)
    kind, limit = body_rule(req.method, view)
    req.max_content_length = limit  # Werkzeug cuts the stream at this many bytes
    req.body_kind = kind
    if view is None:
        return None  # 404/405: nothing will read the body
    if _may_have_body(req):
        if limit == 0 or (req.content_length or 0) > limit:
            raise RequestEntityTooLarge()
        if req.content_length is None and "wsgi.input_terminated" in req.environ:
            # Werkzeug stops such a stream at the limit and reads what came as the whole body.
            req.environ["wsgi.input"] = _CappedInput(req.environ["wsgi.input"], limit)
        if req.mimetype in _FORM_TYPES:
            # CSRF's check reads a form before the view's `access`: ask for the log-in first.
            # (A JSON body is only read by its view, after `access`.)
            refusal = refuse_anonymous(view)
            if refusal is not None:
                return refusal
    check_text(req.path)
    req.args  # noqa: B018 - parsed (and checked) here, for every route
    return None


def too_large_message() -> str:
    limit = request.max_content_length or 0
    kind = getattr(request, "body_kind", "none")
    if kind == "upload":
        return _(
            "The upload is larger than allowed (at most %(mb)d MB in one request). "
            "Nothing else was changed; go back and choose a smaller file.",
            mb=limit // MB,
        )
    if limit == 0:
        return _("This address does not take data in the body of a request. Nothing was read or saved.")
    size = f"{limit // MB} MB" if limit >= MB else f"{limit // 1024} KB"
    if kind == "json":
        return _("The data sent is larger than allowed (at most %(size)s). Nothing was saved.", size=size)
    return _(
        "The form is larger than allowed (at most %(size)s). Nothing was saved; shorten the text and send it again.",
        size=size,
    )
