"""The IKM formula of PermenPAN-RB 14/2017 on a known set of responses, worked by hand."""

from __future__ import annotations

import pytest

from aduan.reports.ikm import category, check_scores, compute_ikm
from aduan.workflow.errors import InputError

RESPONSES = [
    [4, 4, 4, 4, 4, 4, 4, 4, 4],
    [3, 3, 3, 3, 3, 3, 3, 3, 3],
    [4, 3, 2, 4, 3, 4, 4, 3, 3],
    [2, 3, 3, 4, 3, 3, 4, 3, 2],
]


def test_ikm_of_four_respondents_equals_the_hand_computation() -> None:
    sums = [sum(r[i] for r in RESPONSES) for i in range(9)]
    assert sums == [13, 13, 12, 15, 13, 14, 15, 13, 12]

    ikm = compute_ikm(len(RESPONSES), sums)

    # NRR per unsur: 3.25 3.25 3.00 3.75 3.25 3.50 3.75 3.25 3.00; their sum is 30.
    # IKM = sum(NRR x 1/9) = 30/9 = 3.3333; x 25 = 83.33: mutu B, "Baik".
    assert [e.mean for e in ikm.elements] == [3.25, 3.25, 3.0, 3.75, 3.25, 3.5, 3.75, 3.25, 3.0]
    assert ikm.index == pytest.approx(30 / 9)
    assert ikm.converted == pytest.approx(83.3333, abs=1e-4)
    assert ikm.category is not None and (ikm.category.grade, ikm.category.label_id) == ("B", "Baik")
    by_key = {e.key: e for e in ikm.elements}
    assert (by_key["u4"].converted, by_key["u4"].category.grade) == (93.75, "A")
    assert (by_key["u3"].converted, by_key["u3"].category.grade) == (75.0, "C")


@pytest.mark.parametrize(
    ("converted", "grade"),
    [(100.0, "A"), (88.31, "A"), (88.30, "B"), (76.61, "B"), (76.605, "C"), (76.60, "C"),
     (65.00, "C"), (64.99, "D"), (25.0, "D")],
)  # fmt: skip
def test_category_bands_follow_the_regulation_table(converted: float, grade: str) -> None:
    assert category(converted).grade == grade


def test_all_fours_give_100_and_no_respondents_give_no_index() -> None:
    assert compute_ikm(3, [12] * 9).converted == 100.0
    empty = compute_ikm(0, [0] * 9)
    assert (empty.index, empty.category) == (None, None)


@pytest.mark.parametrize("scores", [[4] * 8, [4] * 8 + [5], [0] + [4] * 8])
def test_scores_outside_one_to_four_or_not_nine_are_refused(scores: list[int]) -> None:
    with pytest.raises(InputError):
        check_scores(scores)
