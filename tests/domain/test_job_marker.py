"""The facade's job marker: on the name SMSC is sent, off the name the APIs show."""

import pytest

from facade.domain.jobs import (
    JobSpec,
    content_marker,
    is_marker,
    marked_name,
    new_marker,
    split_marked_name,
)
from facade.domain.rules import job_name
from facade.errors import InputError

SPEC = JobSpec(name="Promo", phones=("79161234567",), message="Hello")


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("Promo", id="plain"),
        pytest.param("Promo, spring; 50%", id="commas"),
        pytest.param("Two\nlines", id="new-line"),
        pytest.param("A [fx:ABCDEFGH23] in the middle", id="marker-shape-inside"),
        pytest.param("", id="empty"),
    ],
)
def test_a_marked_name_splits_back(name: str) -> None:
    marker = new_marker()

    assert is_marker(marker)
    assert split_marked_name(marked_name(name, marker)) == (name, marker)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Promo", id="none"),
        pytest.param("Promo [fx:abcdefgh23]", id="lower-case"),
        pytest.param("Promo [fx:ABCDEFGH2]", id="too-short"),
        pytest.param("Promo [fx:ABCDEFGH189]", id="not-base32"),
        pytest.param("Promo[fx:ABCDEFGH23]", id="no-space"),
        pytest.param("Promo [fx:ABCDEFGH23] ", id="not-at-the-end"),
    ],
)
def test_a_name_without_a_marker_stays_whole(text: str) -> None:
    assert split_marked_name(text) == (text, None)


def test_no_marker_leaves_the_name_alone() -> None:
    assert marked_name("Promo", None) == "Promo"


def test_a_bad_marker_is_a_bug() -> None:
    with pytest.raises(ValueError, match="base32"):
        marked_name("Promo", "nope")


def test_new_markers_differ() -> None:
    assert len({new_marker() for _ in range(100)}) == 100


def test_the_content_marker_is_the_spec_s_own() -> None:
    again = JobSpec(name="Promo", phones=("79161234567",), message="Hello", marker="ABCDEFGH23")
    other = JobSpec(name="Promo", phones=("79161234567",), message="Hello!")

    assert is_marker(content_marker(SPEC))
    assert content_marker(SPEC) == content_marker(again)
    assert content_marker(SPEC) != content_marker(other)


def test_a_name_ending_like_a_marker_is_refused() -> None:
    assert job_name("Promo [fx:short]", "name") == "Promo [fx:short]"
    with pytest.raises(InputError) as caught:
        job_name("Promo [fx:ABCDEFGH23]", "name")
    assert caught.value.field == "name"
