"""Every success-response example of the shared routes and the reporting figures is an answer its response model
would give: it validates and serialises back to itself, so no field is misspelt, missing or extra (issue 7)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from pydantic import TypeAdapter

from services.reporting.api import examples as figures
from services.reporting.api.query import Figure
from shared.directory.api import Contract, Organisation
from shared.erasure import ErasureOut
from shared.http import examples
from shared.http.app import Principal, Readiness

SHARED: list[tuple[str, Any, Any]] = [
    ("healthz", dict[str, str], examples.HEALTHZ),
    ("readyz", Readiness, examples.READYZ),
    ("me", Principal, examples.ME),
    ("organisation", Organisation, examples.ORGANISATION),
    ("prime with sub-contractor", Organisation, examples.PRIME_WITH_SUBCONTRACTOR),
    ("sub-contractor added", Organisation, examples.SUBCONTRACTOR_ADDED),
    ("organisations", list[Organisation], examples.ORGANISATIONS),
    ("contract", Contract, examples.CONTRACT),
    ("contracts", list[Contract], examples.CONTRACTS),
    ("erased", ErasureOut, examples.ERASED),
]


@pytest.mark.parametrize(("model", "example"), [(m, e) for _, m, e in SHARED], ids=[n for n, _, _ in SHARED])
def test_a_shared_example_round_trips(model: Any, example: Any) -> None:
    adapter: TypeAdapter[Any] = TypeAdapter(model)
    assert adapter.dump_python(adapter.validate_python(example), mode="json") == example


@pytest.mark.parametrize("name", sorted(figures.FIGURES))
def test_a_figure_example_round_trips(name: str) -> None:
    example = figures.FIGURES[name]
    assert Figure.model_validate(example).model_dump(mode="json") == example


def test_every_figure_has_an_example() -> None:
    assert set(figures.FIGURES) == {
        name.strip()
        for name in Figure.model_fields["figure"].description.split(":", 1)[1].split(",")  # type: ignore[union-attr]
    }


@pytest.mark.parametrize("name", sorted(figures.FIGURES))
def test_a_figure_example_is_consistent(name: str) -> None:
    """Its columns are the groups then the measures, every row has them all, and its CSV is the same rows."""
    example = figures.FIGURES[name]
    assert example["columns"][: len(example["group_by"])] == example["group_by"]
    assert all(list(row) == example["columns"] for row in example["rows"])
    assert example["date_from"] <= example["date_to"]
    csv_example = figures.figure_responses(example)[200]["content"]["text/csv"]["example"]
    parsed = list(csv.DictReader(io.StringIO(csv_example)))
    assert parsed == [{k: str(v) for k, v in row.items()} for row in example["rows"]]


def test_the_metrics_example_is_prometheus_text() -> None:
    lines = examples.METRICS.splitlines()
    assert any(line.startswith("# TYPE http_requests_total counter") for line in lines)
    samples = [line for line in lines if not line.startswith("#")]
    assert samples
    assert all(float(line.rsplit(" ", 1)[1]) >= 0 for line in samples)


def test_returns_adds_other_media_types() -> None:
    assert examples.returns({"a": 1}, 201, also={"text/csv": {"example": "a\n1\n"}}) == {
        201: {"content": {"application/json": {"example": {"a": 1}}, "text/csv": {"example": "a\n1\n"}}}
    }
    assert examples.returns([]) == {200: {"content": {"application/json": {"example": []}}}}
