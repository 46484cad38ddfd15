import os

import numpy as np
import pytest

# The browser tests (tests/browser) start JupyterLab and chromium: `make browser-test` runs them.
collect_ignore = [] if os.environ.get("LESSONLIB_BROWSER_TESTS") else ["browser"]


@pytest.fixture
def rng():
    return np.random.default_rng(0)
