"""Rubrics: presets from the real contests, editing, and versioning once frozen."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from contest.domain import audit
from contest.domain.errors import DomainError
from contest.extensions import db
from contest.models.base import length_of
from contest.numbers import plain_decimal
from contest.transactions import atomic
from judging.core.score_import import criterion_key
from judging.models import Criterion, Rubric

NAME_MAX = length_of(Criterion.__table__.c.name)
RUBRIC_NAME_MAX = length_of(Rubric.__table__.c.name)


@dataclass(frozen=True)
class CriterionSpec:
    name: str
    max_points: Decimal
    weight: Decimal = Decimal(1)
    step: Decimal = Decimal("0.5")
    description: str = ""
    required: bool = True
    descriptors: tuple = ()


def _c(name, max_points, weight=1, step="0.5", descriptors=()):
    return CriterionSpec(name, Decimal(max_points), Decimal(weight), Decimal(step), descriptors=descriptors)


# Quảng Ngãi's 100-point rubric (docs/domain.md §2); weights are the points.
PROVINCIAL_100 = (
    _c(
        "Tính mới, tính sáng tạo",
        20,
        descriptors=((5, "Đã có nhiều trên thị trường"), (12, "Cải tiến rõ rệt"), (18, "Mới ở Việt Nam")),
    ),
    _c("Tiềm năng thương mại và khả năng tăng trưởng", 20),
    _c("Kế hoạch kinh doanh", 15),
    _c("Định hướng phát triển", 10),
    _c("Tác động kinh tế - xã hội", 15),
    _c("Nguồn lực thực hiện", 10),
    _c("Thuyết trình và trả lời câu hỏi", 10),
)

# Another province: 10 criteria on 1–5, multiplied by weights ×4/×3, ×2 or ×1.
FIVE_POINT_WEIGHTED = tuple(
    _c(name, 5, weight, step="1", descriptors=((1, "Rất yếu"), (3, "Đạt"), (5, "Xuất sắc")))
    for name, weight in (
        ("Tính mới của ý tưởng", 4),
        ("Tính khả thi", 3),
        ("Thị trường và khách hàng", 3),
        ("Mô hình kinh doanh", 2),
        ("Năng lực đội ngũ", 2),
        ("Tác động xã hội", 2),
        ("Tài chính", 1),
        ("Lộ trình phát triển", 1),
        ("Sản phẩm mẫu", 1),
        ("Trình bày", 1),
    )
)

# The media award (giải báo chí, truyền thông về KNĐMST): a press work on 100 points.
MEDIA_AWARD_100 = (
    _c("Nội dung, tính chính xác và chiều sâu thông tin", 30),
    _c("Tính phát hiện, tính thời sự", 20),
    _c("Hình thức thể hiện, ngôn ngữ, kỹ thuật", 20),
    _c("Sức lan tỏa, tác động đến phong trào khởi nghiệp", 20),
    _c("Tính sáng tạo của tác phẩm", 10),
)

PRESETS = {
    "provincial_100": PROVINCIAL_100,
    "five_point_weighted": FIVE_POINT_WEIGHTED,
    "media_award_100": MEDIA_AWARD_100,
}
PRESET_LABELS = {
    "provincial_100": _l("100-point provincial rubric"),
    "five_point_weighted": _l("1–5 points × weight (10 criteria)"),
    "media_award_100": _l("Media award: press works on 100 points"),
}


def create_rubric(competition_id: int, name: str, specs) -> Rubric:
    name = name.strip()
    if not name:
        raise DomainError(_("Give the rubric a name."), field="name")
    if len(name) > RUBRIC_NAME_MAX:
        raise DomainError(_("At most %(max)d characters.", max=RUBRIC_NAME_MAX), field="name")
    specs = list(specs)
    _check_specs(specs)
    taken = DomainError(
        _(
            "This competition already has a rubric named “%(name)s”. Give the new one another name, "
            "or change the existing one.",
            name=name,
        ),
        field="name",
        code="duplicate_name",
    )
    if (
        db.session.scalar(
            select(Rubric.id).where(Rubric.competition_id == competition_id, Rubric.name == name).limit(1)
        )
        is not None
    ):
        raise taken
    rubric = Rubric(competition_id=competition_id, name=name, version=1)
    rubric.criteria = [_criterion(i, spec) for i, spec in enumerate(specs, start=1)]
    try:
        with atomic():
            db.session.add(rubric)
            db.session.flush()
    except IntegrityError:  # an organizer creating the same name at the same moment won
        raise taken from None
    audit.record(
        "rubric.created",
        "rubric",
        rubric.id,
        competition_id=competition_id,
        after={"name": name, "criteria": [_spec_dict(s) for s in specs]},
    )
    return rubric


def create_from_preset(competition_id: int, preset: str, name: str) -> Rubric:
    return create_rubric(competition_id, name, PRESETS[preset])


def update_rubric(rubric: Rubric, specs) -> Rubric:
    """Change the criteria; a frozen rubric gets a new version instead."""
    specs = list(specs)
    _check_specs(specs)
    before = [_spec_dict(_spec_of(c)) for c in rubric.criteria]
    if rubric.is_frozen:
        latest = db.session.scalar(
            select(func.max(Rubric.version)).where(
                Rubric.competition_id == rubric.competition_id, Rubric.name == rubric.name
            )
        )
        target = Rubric(
            competition_id=rubric.competition_id, name=rubric.name, version=(latest or 0) + 1, previous_id=rubric.id
        )
        db.session.add(target)
    else:
        target = rubric
        target.criteria.clear()
        db.session.flush()
    target.criteria = [_criterion(i, spec) for i, spec in enumerate(specs, start=1)]
    db.session.flush()
    audit.record(
        "rubric.changed",
        "rubric",
        target.id,
        competition_id=rubric.competition_id,
        before={"rubric": rubric.id, "criteria": before},
        after={"rubric": target.id, "version": target.version, "criteria": [_spec_dict(s) for s in specs]},
    )
    return target


def _check_specs(specs) -> None:
    if not specs:
        raise DomainError(_("A rubric needs at least one criterion."))
    seen: dict[str, str] = {}
    for spec in specs:
        if not spec.name.strip():
            raise DomainError(_("Every criterion needs a name."))
        if len(spec.name.strip()) > NAME_MAX:
            raise DomainError(_("At most %(max)d characters.", max=NAME_MAX) + f" ({spec.name[:40]}…)")
        # Score files name criteria by name: two alike could not be told apart.
        key = criterion_key(spec.name)
        if key in seen:
            raise DomainError(_("Two criteria are named “%(name)s”: give each its own name.", name=seen[key]))
        seen[key] = spec.name.strip()
        if spec.max_points <= 0 or spec.weight <= 0 or spec.step <= 0:
            raise DomainError(_("Maximum, weight and step must be greater than zero (“%(name)s”).", name=spec.name))
        if spec.max_points % spec.step != 0:
            raise DomainError(_("The maximum of “%(name)s” must be a whole number of steps.", name=spec.name))


def _criterion(position: int, spec: CriterionSpec) -> Criterion:
    return Criterion(
        position=position,
        name=spec.name.strip(),
        description=spec.description,
        max_points=spec.max_points,
        weight=spec.weight,
        step=spec.step,
        required=spec.required,
        descriptors=[{"score": s, "text": t} for s, t in spec.descriptors],
    )


def _spec_of(criterion: Criterion) -> CriterionSpec:
    return CriterionSpec(
        criterion.name,
        criterion.max_points,
        criterion.weight,
        criterion.step,
        criterion.description,
        criterion.required,
        tuple((d["score"], d["text"]) for d in criterion.descriptors),
    )


@dataclass(frozen=True)
class CriterionRow:
    """One criterion as the organizer types it (text); `id` names an existing
    criterion, whose score descriptors are kept."""

    id: str = ""
    name: str = ""
    max: str = ""
    weight: str = "1"
    step: str = "0.5"
    description: str = ""


def criterion_row(criterion: Criterion) -> CriterionRow:
    return CriterionRow(
        str(criterion.id),
        criterion.name,
        plain_decimal(criterion.max_points),
        plain_decimal(criterion.weight),
        plain_decimal(criterion.step),
        criterion.description,
    )


def _number(text: str, what: str, name: str) -> Decimal:
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise DomainError(_("%(what)s of “%(name)s” is not a number.", what=what, name=name)) from None
    if not value.is_finite():
        raise DomainError(_("%(what)s of “%(name)s” is not a number.", what=what, name=name))
    # The columns hold up to 99999.99; a rubric needs far less.
    if abs(value) > 1000 or value != value.quantize(Decimal("0.01")):
        raise DomainError(
            _("%(what)s of “%(name)s” must be at most 1000, with at most two decimals.", what=what, name=name)
        )
    return value


def specs_from_rows(rows, rubric: Rubric) -> list[CriterionSpec]:
    """The criteria typed on the rubric's page; a row without a name is left out
    (that is how a criterion is removed). Checked by update_rubric."""
    existing = {str(c.id): c for c in rubric.criteria}
    specs = []
    for row in rows:
        name = row.name.strip()
        if not name:
            continue
        kept = existing.get(row.id)
        specs.append(
            CriterionSpec(
                name,
                _number(row.max, _("The maximum"), name),
                _number(row.weight or "1", _("The weight"), name),
                _number(row.step or "1", _("The step"), name),
                row.description.strip(),
                kept.required if kept is not None else True,
                tuple((d["score"], d["text"]) for d in kept.descriptors) if kept is not None else (),
            )
        )
    return specs


def _spec_dict(spec: CriterionSpec) -> dict:
    return {
        "name": spec.name,
        "max": str(spec.max_points),
        "weight": str(spec.weight),
        "step": str(spec.step),
        "required": spec.required,
    }


def max_total(rubric: Rubric) -> Decimal:
    return sum((c.max_points * c.weight for c in rubric.criteria), Decimal(0))
