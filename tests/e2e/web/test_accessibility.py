"""axe-core finds no WCAG 2.2 AA violation on any web page, in either language, errors included."""

from __future__ import annotations

from typing import Any

import pytest

LANGUAGES = ["en", "nl"]

pytestmark = pytest.mark.e2e

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PAGES = {
    "/": 200,
    "/accessibility": 200,
    "/privacy": 200,
    "/no-such-page": 404,  # the error state
}


def _describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[node['target'] for node in v['nodes']]}" for v in violations
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("path", list(PAGES))
def test_axe_finds_no_violations(new_page: Any, axe_source: str, path: str, language: str) -> None:
    # axe is injected as an inline script, which the pages' CSP forbids: this context alone
    # bypasses the CSP (test_csp_allows_everything_the_pages_load checks the CSP separately)
    page = new_page(language, bypass_csp=True)
    response = page.goto(path)
    assert response.status == PAGES[path]
    assert page.locator("html").get_attribute("lang") == language
    page.add_script_tag(content=axe_source)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_22_AA,
    )
    assert result["violations"] == [], _describe(result["violations"])
    # a run that checked nothing would also report no violations
    assert len(result["passes"]) + len(result["incomplete"]) + len(result["inapplicable"]) > 20
