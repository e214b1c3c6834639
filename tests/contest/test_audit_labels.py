"""The audit log's page: every action the code records has a label people read,
and recorded values are written out, not shown as JSON."""

from __future__ import annotations

import ast
from pathlib import Path

from flask_babel import force_locale

from contest.audit_labels import action_label, readable, value_text

ROOT = Path(__file__).resolve().parents[2]


def _recorded_actions() -> set[str]:
    """The first argument of every audit.record / values_now call in both wings."""
    actions: set[str] = set()
    for path in [*ROOT.joinpath("contest").rglob("*.py"), *ROOT.joinpath("judging").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name not in ("record", "values_now"):
                continue
            first = node.args[0]
            constants = [n.value for n in ast.walk(first) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
            actions.update(c for c in constants if "." in c)
    return actions


def test_every_recorded_action_has_a_label(app):
    actions = _recorded_actions()
    assert {"entry.validity", "score.changed", "scores.excluded", "team.created"} <= actions
    with app.test_request_context(), force_locale("vi"):
        unlabelled = sorted(a for a in actions if action_label(a) == a)
        assert not unlabelled, unlabelled
        assert action_label("team.created") == "Tạo đội"
        assert action_label("results.published") == "Đã công bố kết quả"  # judging's, added by its init_app


def test_values_are_written_out(app):
    with app.test_request_context(), force_locale("vi"):
        assert readable({"validity": "valid", "reason": None}) == [("Kiểm tra", "Hợp lệ"), ("Lý do", "—")]
        assert value_text(True) == "Có"
        assert value_text(["a", "b"]) == "a, b"
        assert value_text("2026-12-06T10:05:00+00:00") == "17:05 06/12/2026"
        assert value_text("2026-12-06") == "06/12/2026"
        assert value_text({"top_n": 3}) == "Top n: 3"
        assert readable(None) == []
        assert readable(["a", 2]) == [("", "a, 2")]
