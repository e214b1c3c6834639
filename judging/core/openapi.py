"""OpenAPI 3.1 description of the scoring API, served at /api/openapi.json."""

_ERROR = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string", "description": "machine-readable code"},
        "message": {"type": "string", "description": "for people, in the user's language"},
    },
}


def _refusals(*codes):
    text = {
        400: "Bad request or missing CSRF token",
        401: "Not logged in",
        403: "Not a judge here, entry not assigned, or a conflict of interest",
        404: "No such round",
        409: "Round not open or locked; key reused",
        422: "Value out of range, off the step, unknown criterion, reason required, sheet incomplete",
    }
    return {str(c): {"description": text[c], "content": {"application/json": {"schema": _ERROR}}} for c in codes}


_PATH_PARAMS = [
    {"name": "round_id", "in": "path", "required": True, "schema": {"type": "integer"}},
    {"name": "entry_id", "in": "path", "required": True, "schema": {"type": "integer"}},
]
_CSRF = {
    "name": "X-CSRFToken",
    "in": "header",
    "required": True,
    "schema": {"type": "string"},
    "description": "The page's CSRF token (from its csrf_token input).",
}

OPENAPI = {
    "openapi": "3.1.0",
    "info": {
        "title": "Scoring API",
        "version": "1",
        "description": "Judges' tablets save each change at once; each change carries an idempotency key "
        "and is applied exactly once. Session cookie authentication.",
    },
    "paths": {
        "/api/rounds/{round_id}/sheets/{entry_id}": {
            "get": {
                "summary": "The signed-in judge's own score sheet for an entry",
                "parameters": _PATH_PARAMS,
                "responses": {
                    "200": {
                        "description": "Own values only; never other judges'",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Sheet"}}},
                    },
                    **_refusals(401, 403, 404),
                },
            }
        },
        "/api/rounds/{round_id}/sheets/{entry_id}/changes": {
            "post": {
                "summary": "Apply one change (a criterion's score, or the comment)",
                "parameters": [*_PATH_PARAMS, _CSRF],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Change"}}},
                },
                "responses": {
                    "200": {
                        "description": "applied, duplicate (key seen before) or superseded (a later "
                        "change from another device is kept)",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"outcome": {"enum": ["applied", "duplicate", "superseded"]}},
                                }
                            }
                        },
                    },
                    **_refusals(400, 401, 403, 404, 409, 422),
                },
            }
        },
        "/api/rounds/{round_id}/sheets/{entry_id}/submit": {
            "post": {
                "summary": "Sign the sheet off (every required criterion scored)",
                "parameters": [*_PATH_PARAMS, _CSRF],
                "requestBody": {
                    "content": {
                        "application/json": {"schema": {"type": "object", "properties": {"reason": {"type": "string"}}}}
                    }
                },
                "responses": {"200": {"description": "Submitted"}, **_refusals(400, 401, 403, 404, 409, 422)},
            }
        },
        "/api/rounds/{round_id}/timer": {
            "get": {
                "summary": "The live pitch timer",
                "parameters": [_PATH_PARAMS[0]],
                "responses": {"200": {"description": "phase, remaining seconds, current entry"}, **_refusals(401, 403)},
            }
        },
    },
    "components": {
        "schemas": {
            "Change": {
                "type": "object",
                "required": ["key"],
                "properties": {
                    "key": {"type": "string", "maxLength": 64, "description": "Idempotency key, unique per change"},
                    "criterion_id": {"type": ["integer", "null"]},
                    "value": {
                        "type": ["number", "string", "null"],
                        "description": "0…max on the criterion's step; null clears",
                    },
                    "comment": {"type": "string", "maxLength": 4000},
                    "changed_at": {"type": "string", "format": "date-time", "description": "When made on the device"},
                    "device": {"type": "string", "maxLength": 64},
                    "reason": {"type": "string", "description": "Required once the sheet is submitted"},
                },
            },
            "Sheet": {
                "type": "object",
                "properties": {
                    "round_state": {"enum": ["preparing", "open", "locked"]},
                    "scores": {"type": "object", "additionalProperties": {"type": ["string", "null"]}},
                    "comment": {"type": "string"},
                    "submitted_at": {"type": ["string", "null"]},
                    "missing": {"type": "array", "items": {"type": "integer"}},
                },
            },
        }
    },
}
