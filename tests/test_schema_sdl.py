import pathlib

from facade.cli import main
from facade.graphql.schema import create_schema

SDL = pathlib.Path(__file__).parent.parent / "schema.graphql"


def test_checked_in_schema_is_what_the_code_defines():
    assert SDL.read_text(encoding="utf-8") == create_schema().as_str() + "\n", (
        "schema.graphql is stale: run `facade schema > schema.graphql` and review the diff"
    )


def test_facade_schema_prints_the_sdl(capsys):
    assert main(["schema"]) == 0
    assert capsys.readouterr().out == SDL.read_text(encoding="utf-8")
