"""A judge's rounds: the open one first, then the others newest first."""

from judging.domain.queue import rounds_for
from tests.factories import make_competition, make_judge, make_round, make_user, make_valid_entry


def test_open_rounds_come_first_then_the_newest(db):
    user = make_user("giamkhao@example.vn")
    older = make_competition("khoi-nghiep-2024", year=2024)
    newer = make_competition("khoi-nghiep-2026")
    names = []
    for competition, rounds in (
        (newer, (("Sơ khảo 2026", "locked"), ("Chung kết 2026", "open"), ("Vòng chưa mở", "preparing"))),
        (older, (("Sơ khảo 2024", "locked"), ("Chung kết 2024", "open"))),
    ):
        entry = make_valid_entry(competition)
        judge = make_judge(competition, user)
        for name, state in rounds:
            make_round(competition, [entry], [judge], name=name, state=state)
            names.append(name)
    assert [s.round.name for s in rounds_for(user.id)] == [
        "Chung kết 2026",
        "Chung kết 2024",
        "Sơ khảo 2026",
        "Sơ khảo 2024",
    ]
