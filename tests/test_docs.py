"""The docs site agrees with the code: generated tables, every variable, the nav, the README."""

from __future__ import annotations

import ast
import importlib.util
import re
from types import ModuleType

import pytest

from airelay.core.endpoints import ENDPOINTS
from airelay.core.settings import Settings
from tests.conftest import REPO

DOCS = REPO / "docs"
README = (REPO / "README.md").read_text(encoding="utf-8")
# Upper-case names in the source that are not variables an operator sets: the name of a
# constant re-exported in an `__all__`, and the Worker's rate limiter binding (wrangler.toml).
NOT_VARIABLES = {"BASE_URL_VARIABLE", "FLAG_HELP", "RATE_LIMITER"}


def load_generator() -> ModuleType:
    """Import scripts/gen_docs.py, which is a script, not part of the package."""
    spec = importlib.util.spec_from_file_location("gen_docs", REPO / "scripts" / "gen_docs.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def page(name: str) -> str:
    """Return a page of the docs site."""
    return (DOCS / name).read_text(encoding="utf-8")


def blocks(text: str, language: str) -> list[str]:
    """Return the code blocks of `language` in text, as written."""
    return re.findall(rf"^```{language}\n(.*?)^```$", text, re.M | re.S)


def table_names(text: str) -> list[str]:
    """Return the names in the first column of every table row of text."""
    return re.findall(r"^\| `([^`]+)` \|", text, re.M)


def variables_read_by_the_code() -> set[str]:
    """Return every UPPER_SNAKE string literal in src/: the names of variables the code reads."""
    found: set[str] = set()
    for path in (REPO / "src").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            value = node.value if isinstance(node, ast.Constant) else None
            if isinstance(value, str) and re.fullmatch(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+", value):
                found.add(value)
    return found - NOT_VARIABLES


# --- generated tables -----------------------------------------------------------------------


def test_generated_tables_match_the_code() -> None:
    assert load_generator().stale_pages() == [], "run: .venv/bin/python scripts/gen_docs.py"


def test_a_changed_default_makes_the_configuration_page_stale(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    generator = load_generator()
    field = Settings.model_fields["rate_limit_period"]
    monkeypatch.setattr(field, "default", 10)
    assert generator.stale_pages() == ["docs/configuration.md"]


def test_configuration_page_lists_every_settings_variable_once() -> None:
    names = table_names(page("configuration.md"))
    aliases = [field.alias for field in Settings.model_fields.values()]
    assert len(names) == len(set(names))
    assert set(aliases) <= set(names)


def test_every_variable_the_code_reads_is_on_the_configuration_page() -> None:
    documented = {name for name in table_names(page("configuration.md")) if name.isupper()}
    assert documented == variables_read_by_the_code()


def test_every_secret_setting_is_marked_secret() -> None:
    rows = {
        row.split(" | ")[0].strip("| `"): row
        for row in page("configuration.md").splitlines()
        if row.startswith("| `")
    }
    for field in Settings.model_fields.values():
        # A field kept out of repr holds a secret (API_KEYS, TOKEN_SECRETS).
        is_secret = "| secret |" in rows[str(field.alias)]
        assert is_secret == (not field.repr), field.alias
    for name in ("UPSTREAM_API_KEY", "CLOUDFLARE_API_TOKEN"):
        assert "| secret |" in rows[name]


def test_api_page_lists_every_endpoint() -> None:
    assert table_names(page("api.md"))[: len(ENDPOINTS)] == [e.path for e in ENDPOINTS]


# --- the site: every page in the nav ----------------------------------------------------------


def nav_pages() -> list[str]:
    """Return the pages mkdocs.yml's nav lists (`Title: page.md` lines)."""
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    nav = config.split("\nnav:\n", 1)[1]
    return re.findall(r"^\s+- [^\n]*?:\s+(\S+\.md)$", nav, re.M)


def test_every_page_is_in_the_nav_once() -> None:
    pages = nav_pages()
    assert len(pages) == len(set(pages))
    assert sorted(pages) == sorted(p.name for p in DOCS.glob("*.md"))


def test_home_page_links_every_page() -> None:
    home = page("index.md")
    for name in nav_pages():
        if name != "index.md":
            assert f"]({name}" in home, name


def test_test_script_builds_the_site_strictly() -> None:
    script = (REPO / "scripts" / "test.sh").read_text(encoding="utf-8")
    assert re.search(r"^NO_MKDOCS_2_WARNING=1 \.venv/bin/mkdocs build --strict ", script, re.M)
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    # Offline: no web fonts, and no plugin but the built-in search.
    assert re.search(r"^  font: false$", config, re.M)
    assert config.split("\nplugins:\n", 1)[1].split("\n\n", 1)[0] == "  - search"


# --- the README: short, and what it shows is what the docs show ----------------------------------


def test_readme_is_short() -> None:
    assert len(README.splitlines()) <= 220


def test_readme_python_snippet_is_the_calling_pages() -> None:
    (snippet,) = blocks(README, "python")
    assert snippet in blocks(page("calling.md"), "python")


def test_readme_fetch_snippet_is_the_frontends_pages() -> None:
    helper = blocks(README, "js")[0]
    assert helper.startswith("async function* streamEvents(")
    assert helper == blocks(page("frontends.md"), "js")[0]
    assert blocks(README, "js")[1] in blocks(page("frontends.md"), "js")


def test_readme_deploy_commands_are_the_deploying_pages() -> None:
    section = README.split("\n## Deploying the Worker\n", 1)[1].split("\n## ", 1)[0]
    (readme_block,) = blocks(section, "sh")
    (deploy_block,) = blocks(page("deploying.md"), "sh")
    readme_steps = readme_block.splitlines()
    assert readme_steps == deploy_block.splitlines()[-len(readme_steps) :]
    assert readme_steps[-1].startswith("uv run pywrangler deploy")


def test_readme_links_point_to_files_in_the_checkout() -> None:
    links = re.findall(r"\]\(((?!https?:)[^)#]+)(?:#[^)]*)?\)", README)
    assert links
    for link in links:
        assert (REPO / link).is_file(), link


def test_readme_links_every_docs_page() -> None:
    for path in DOCS.glob("*.md"):
        if path.name != "bench.md":  # the README links bench/README.md itself
            assert f"](docs/{path.name}" in README, path.name
    assert "](bench/README.md)" in README
