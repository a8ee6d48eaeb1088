"""docs/architecture.md shows the layers as the code has them today."""

from __future__ import annotations

from tests.architecture import current_block, render


def test_the_layer_picture_in_the_docs_is_drawn_from_todays_imports() -> None:
    assert current_block() == render(), "run `make architecture` and commit docs/architecture.md"
