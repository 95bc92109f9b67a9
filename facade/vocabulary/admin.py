"""What the facade answers about itself to an admin token."""

from pydantic import Field

from facade.vocabulary.shapes import Output, example


class CachePurged(Output):
    """The account's cached reads were dropped."""

    model_config = example({"entries": 12})

    entries: int = Field(description="How many cached reads were dropped.")


__all__ = ["CachePurged"]
