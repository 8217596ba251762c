"""Report pages: one block list rendered to Markdown and HTML, in the same order."""

from __future__ import annotations

import base64
import re

import pandas as pd
import pytest

from resilience.reports.pages import (
    Heading,
    Image,
    Links,
    Markup,
    Page,
    Table,
    Text,
    index_page,
    markdown_table,
    scenario_page,
    scenario_summary,
)
from resilience.scenario import load_scenario, run_scenario
from tests.conftest import DATA

PNG = b"\x89PNG fake"


def test_each_block_in_both_formats():
    frame = pd.DataFrame({"a|b": [1.5, None], "c": ["x<y", "two\nlines"]})
    page = Page(
        "T & U",
        (
            Text("one < two"),
            Heading("Part"),
            Table(frame),
            Image(PNG, "chart.png", "chart"),
            Links((("Scenario a", "scenarios/a"),)),
            Markup("md only", None),
            Markup(None, "<p>html only</p>"),
        ),
    )
    assert page.markdown() == (
        "# T & U\n\none < two\n\n## Part\n\n"
        "| a|b | c |\n|---|---|\n| 1.5 | x<y |\n| – | two lines |\n\n"
        "![chart](chart.png)\n\n- [Scenario a](scenarios/a/index.md)\n\nmd only"
    )
    body = page.html().split("<body>\n", 1)[1]
    encoded = base64.b64encode(PNG).decode()
    assert body == (
        "<h1>T &amp; U</h1>\n<p>one &lt; two</p>\n<h2>Part</h2>\n"
        "<table><thead><tr><th>a|b</th><th>c</th></tr></thead><tbody>"
        "<tr><td>1.5</td><td>x&lt;y</td></tr><tr><td>–</td><td>two lines</td></tr>"
        "</tbody></table>\n"
        f'<p><img alt="chart" src="data:image/png;base64,{encoded}"></p>\n'
        '<ul><li><a href="scenarios/a/index.html">Scenario a</a></li></ul>\n'
        "<p>html only</p>\n</body></html>\n"
    )
    assert page.html().startswith('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">')
    assert "<title>T &amp; U</title>" in page.html()


def test_empty_table_says_none():
    assert markdown_table(pd.DataFrame()) == "(none)"
    assert Table(pd.DataFrame()).html() == "<p>(none)</p>"


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    path = tmp_path_factory.mktemp("sc") / "bravo.toml"
    path.write_text('description = "Bravo falls"\n[removals]\nplaces = ["bravo"]\n')
    from resilience.sources.bundled import load_region

    return run_scenario(load_scenario(path), load_region(DATA / "toy"))


def test_scenario_page_has_the_same_sections_in_both_formats(result):
    page = scenario_page(result, scenario_summary(result), PNG, PNG)
    md_heads = re.findall(r"^## (.+)$", page.markdown(), flags=re.MULTILINE)
    html_heads = re.findall(r"<h2>(.+?)</h2>", page.html())
    assert md_heads == [h.replace("&gt;", ">") for h in html_heads]
    assert md_heads[0] == "Summary"
    assert len(md_heads) == 7
    assert md_heads[-1] == "Columns"
    assert page.markdown().count("![") == page.html().count("<img ") == 2
    tables = [b for b in page.blocks if isinstance(b, Table) and not b.frame.empty]
    assert len(re.findall(r"^\|---", page.markdown(), flags=re.MULTILINE)) == len(tables)
    assert page.html().count("<table>") == len(tables) > 0


def test_index_lists_skipped_parts_in_markdown_only():
    page = index_page(["a"], has_timeline=False, skipped={"timeline": "file absent"})
    assert page.markdown() == (
        "# Resilience reports\n\n- [Scenarios compared](compare/index.md)\n"
        "- [a](scenarios/a/index.md)\n\nNot regenerated here:\n\n- `timeline`: file absent\n\n"
        "Column units and definitions: `docs/columns.md` in the repository."
    )
    assert "file absent" not in page.html()
    assert page.html().count("<li>") == 2
