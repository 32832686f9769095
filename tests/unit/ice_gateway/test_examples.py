"""The ICE case example in /docs is a valid answer: it round-trips through the response model unchanged."""

from __future__ import annotations

from services.ice_gateway.api.cases import IceCasePage, SystemicRecommendation
from services.ice_gateway.api.examples import CASE, PAGE, RECOMMENDATION_LIST
from services.ice_gateway.views import IceCaseOut


def test_the_case_example_is_a_valid_answer() -> None:
    assert IceCaseOut.model_validate(CASE).model_dump(mode="json") == CASE


def test_the_list_examples_are_valid_answers() -> None:
    assert IceCasePage.model_validate(PAGE).model_dump(mode="json") == PAGE
    for item in RECOMMENDATION_LIST:
        assert SystemicRecommendation.model_validate(item).model_dump(mode="json") == item
