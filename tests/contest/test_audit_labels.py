"""The audit log's page: every action the code records has a label people read,
and recorded values are written out, not shown as JSON."""

from __future__ import annotations

import ast
from pathlib import Path

from flask_babel import force_locale

from contest.audit_labels import OBJECT_LABELS, action_label, field_label, object_text, readable, value_text

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


def _record_calls():
    """(path, function of the module by name, enclosing function, call) of every audit.record / values_now."""
    for path in [*ROOT.joinpath("contest").rglob("*.py"), *ROOT.joinpath("judging").rglob("*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            for node in ast.walk(function):
                if not isinstance(node, ast.Call):
                    continue
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name in ("record", "values_now") and node.args:
                    yield path, functions, function, node


def _recorded_keys() -> tuple[set[str], dict[str, int]]:
    """The keys of every before/after the code records: the keys of a dict written in the call, in a
    variable the function fills with one, or in what a function of the same module returns. What
    cannot be read so (a dict built from a list of fields) is counted by file, to be named below."""
    keys: set[str] = set()
    unread: dict[str, int] = {}
    seen_calls = set()
    for path, functions, function, call in _record_calls():
        if id(call) in seen_calls:  # a nested function's calls are walked from its outer one too
            continue
        seen_calls.add(id(call))
        todo = [kw.value for kw in call.keywords if kw.arg in ("before", "after")]
        done: set[int] = set()
        while todo:
            value = todo.pop()
            if id(value) in done:
                continue
            done.add(id(value))
            if isinstance(value, ast.Dict):
                for key, item in zip(value.keys, value.values, strict=True):
                    if key is None:
                        todo.append(item)
                    elif isinstance(key, ast.Constant):
                        keys.add(key.value)
                    else:
                        unread[path.name] = unread.get(path.name, 0) + 1
            elif isinstance(value, ast.IfExp):
                todo += [value.body, value.orelse]
            elif isinstance(value, ast.Constant) and value.value is None:
                pass
            elif isinstance(value, ast.Name):
                todo += [
                    a.value
                    for a in ast.walk(function)
                    if isinstance(a, ast.Assign) and any(getattr(t, "id", None) == value.id for t in a.targets)
                ]
            elif isinstance(value, ast.Call) and getattr(value.func, "id", None) in functions:
                todo += [r.value for r in ast.walk(functions[value.func.id]) if isinstance(r, ast.Return) and r.value]
            else:
                unread[path.name] = unread.get(path.name, 0) + 1
    return keys, unread


def _keys_built_from_lists() -> set[str]:
    """The keys of the before/after built from lists of fields, which the AST cannot read."""
    from contest.domain.certificates import IMAGE_SLOTS
    from contest.domain.competitions import SETTINGS_FIELDS
    from contest.domain.reporting_cycle import LINE_LIMITS
    from contest.reports.consolidate import FIGURE_KEYS
    from contest.views.certificates import TEMPLATE_FIELDS

    # A unit report's content (reporting_cycle._first_content) and the province's totals.
    report = {"lines", "task", "text", "figures", "projects", "competitions", "mentoring_sessions", "recorded"}
    return {*SETTINGS_FIELDS, *TEMPLATE_FIELDS, "per_team", *IMAGE_SLOTS, *LINE_LIMITS, *FIGURE_KEYS, *report}


def test_every_recorded_field_and_object_has_a_label(app):
    keys, unread = _recorded_keys()
    assert {"unit_id", "criterion", "prize", "member", "target", "preset", "mode"} <= keys
    # A new before/after built from a list: add the list to _keys_built_from_lists, then the count here.
    assert unread == {"competitions.py": 2, "certificates.py": 6, "reporting_cycle.py": 4}, unread
    keys |= _keys_built_from_lists()
    objects = {c.args[1].value for _p, _f, _fn, c in _record_calls() if isinstance(c.args[1], ast.Constant)}
    assert {"competition", "team", "score_sheet"} <= objects
    with app.test_request_context(), force_locale("vi"):
        unlabelled = sorted(k for k in keys if field_label(k) == k.replace("_", " ").capitalize())
        assert not unlabelled, unlabelled
        assert sorted(objects - set(OBJECT_LABELS)) == []
        assert field_label("registration_opens_at") == "Mở đăng ký lúc"
        assert field_label("top_n") == "Số hồ sơ đứng đầu"  # judging's, added by its init_app
        assert object_text("team", "228") == "Đội 228"
        assert object_text("competition", "17") == "Cuộc thi 17"


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
        assert value_text(False) == "Không"
        # An enum's value in the words the app shows it with elsewhere, chosen by the action's object.
        assert readable({"state": "draft"}, "competition.state") == [("Trạng thái", "Bản nháp")]
        assert readable({"state": "open"}, "competition.state") != [("Trạng thái", "open")]
        assert readable({"state": "open"}, "round.opened") != readable({"state": "open"}, "competition.state")
        assert readable({"mode": "dossier"}, "round.created") == [("Hình thức", "Chấm hồ sơ")]
        assert readable({"preset": "provincial"}, "competition.created")[0][1] != "provincial"
        assert readable({"status": "withdrawn"}, "entry.withdrawn") == [("Trạng thái", "Đã rút")]
        assert readable({"kind": "plan"}, "unit_report.submitted") == [("Loại", "Kế hoạch")]
        assert value_text(["a", "b"]) == "a, b"
        assert value_text("2026-12-06T10:05:00+00:00") == "17:05 06/12/2026"
        assert value_text("2026-12-06") == "06/12/2026"
        assert value_text({"top_n": 3}) == "Số hồ sơ đứng đầu: 3"
        assert value_text({"not_a_field": 3}) == "Not a field: 3"
        assert readable(None) == []
        assert readable(["a", 2]) == [("", "a, 2")]
