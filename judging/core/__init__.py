"""Pure judging computation: no Flask, no database, no models.

Everything here takes plain values (dataclasses, mappings, numbers, text) and
returns plain values, so it can be tested without an app and reused from the
CLI, the views and the benchmarks alike. The database side lives in
`judging.domain`, which loads rows, calls these functions and writes back:

- `assign` (judge assignment)            ← `judging.domain.assignment`
- `aggregate` (totals, trims, ranks)     ← `judging.domain.results`, `judging.domain.queue`
- `score_import` (paper-score CSV)       ← `judging.domain.paper_import`, `judging.domain.rubrics`
- `score_sheet` (paper score sheet PDF)  ← `judging.domain.paper`
- `round_record` (round record PDF)      ← `judging.views.results`
- `conflict_rules` (conflict suspicion, declared conflicts) ← `judging.domain.judges`, `judging.domain.pool`
- `pitch_order` (recorded pitch draw)    ← `judging.domain.rounds`
- `openapi` (the scoring API's description) ← `judging.views.api`

tests/test_purity.py walks each module's imports and fails if one reaches
Flask, SQLAlchemy or the models.
"""
