"""judging's tables (rubrics, rounds, scores) arrive with the judging issue."""
