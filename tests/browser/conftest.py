import pytest
from axe_playwright_python.sync_playwright import Axe

WCAG_22_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}
}


@pytest.fixture(scope="session")
def axe():
    return Axe()


@pytest.fixture
def assert_accessible(axe):
    """Run axe-core's WCAG 2.2 A/AA rules on the current page."""

    def check(page):
        results = axe.run(page, options=WCAG_22_AA)
        assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"

    return check
