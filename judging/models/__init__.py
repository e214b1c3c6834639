"""`judging`'s tables: rubrics, rounds, judges, conflicts, assignments, scores.
They reference `contest`'s tables; `contest` never references these."""

from judging.models.judges import Conflict, ConflictSource, ConflictStatus, Judge
from judging.models.results import Award, AwardTier, Publication, ResultSnapshot
from judging.models.rounds import (
    Assignment,
    EntrySource,
    Round,
    RoundEntry,
    RoundMode,
    RoundState,
    TimerPhase,
)
from judging.models.rubrics import Criterion, Rubric
from judging.models.scores import AppliedChange, Score, ScoreSheet
from judging.models.votes import Vote, VoteCampaign, VoteCandidate, VoteCode, VoteSnapshot

__all__ = [
    "AppliedChange",
    "Award",
    "AwardTier",
    "Publication",
    "ResultSnapshot",
    "Assignment",
    "Conflict",
    "ConflictSource",
    "ConflictStatus",
    "Criterion",
    "EntrySource",
    "Judge",
    "Round",
    "RoundEntry",
    "RoundMode",
    "RoundState",
    "Rubric",
    "Score",
    "ScoreSheet",
    "TimerPhase",
    "Vote",
    "VoteCampaign",
    "VoteCandidate",
    "VoteCode",
    "VoteSnapshot",
]
