from collections.abc import Iterator

import pytest

from recommendations import recurrence


@pytest.fixture(autouse=True)
def _fresh_comparison_keys() -> Iterator[None]:
    """Each test compares with its own database's recommendations only: the keys kept in the process go."""
    recurrence.forget_keys()
    yield
    recurrence.forget_keys()
