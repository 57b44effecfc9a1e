"""How well likely repeats are found, measured on the labelled pairs: precision and recall must stay above their
floors (README, "Recurring recommendations", gives the figures)."""

import pytest

from recommendations.recurrence import LIKELY_REPEAT, likely_repeats, similarity
from tests.factories import make_inspection, make_recommendation

from .labelled_pairs import NOT_REPEATS, REPEATS

PRECISION_FLOOR = 0.9
RECALL_FLOOR = 0.9


def test_the_labelled_set_is_large_enough_and_labels_each_pair_once() -> None:
    assert len(REPEATS) + len(NOT_REPEATS) >= 30
    assert len(REPEATS) >= 15 and len(NOT_REPEATS) >= 15
    assert not set(REPEATS) & set(NOT_REPEATS)


@pytest.mark.django_db
def test_precision_and_recall_on_the_labelled_pairs_meet_their_floors() -> None:
    """Each pair's first text is recorded; the second, as if newly imported, must find it (a repeat) or not."""
    inspection = make_inspection()
    recorded = {}
    for first, _ in [*REPEATS, *NOT_REPEATS]:
        if first not in recorded:
            recorded[first] = make_recommendation(inspection, text=first).pk
    seconds = [second for _, second in [*REPEATS, *NOT_REPEATS]]
    found = likely_repeats(seconds)

    def suggested(index: int, first: str) -> bool:
        return recorded[first] in {repeat.recommendation.pk for repeat in found[index]}

    labels = [True] * len(REPEATS) + [False] * len(NOT_REPEATS)
    predictions = [suggested(i, first) for i, (first, _) in enumerate([*REPEATS, *NOT_REPEATS])]
    true_positives = sum(p and label for p, label in zip(predictions, labels, strict=True))
    precision = true_positives / sum(predictions)
    recall = true_positives / len(REPEATS)
    print(f"\nprecision {precision:.3f}, recall {recall:.3f} at score {LIKELY_REPEAT} ({len(labels)} pairs)")
    assert precision >= PRECISION_FLOOR
    assert recall >= RECALL_FLOOR


def test_the_seed_reports_vetting_recommendation_is_a_likely_repeat() -> None:
    first, second = REPEATS[0]
    assert "vetting" in first and "vetting" in second
    assert similarity(first, second) >= LIKELY_REPEAT
