"""axe-core in a Playwright page: the WCAG 2.2 AA check every workbench browser test runs."""

from __future__ import annotations

from typing import Any

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def violations(page: Any, axe_source: str) -> list[str]:
    """Run axe on the page's current document; each violation as "url: rule (impact): help at targets".

    For tests that walk several pages and report every page's violations at the end."""
    page.add_script_tag(content=axe_source)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_22_AA,
    )
    # a run that checked almost nothing would pass vacuously
    assert len(result["passes"]) + len(result["incomplete"]) + len(result["inapplicable"]) > 20
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in result["violations"]
    ]


def assert_no_violations(page: Any, axe_source: str) -> None:
    """Run axe on the page's current document; fail with each violation and where it is."""
    found = violations(page, axe_source)
    assert found == [], "\n".join(found)
