"""What counts as true or false in a variable or a header: `true`/`false` or `1`/`0`, any case."""

from __future__ import annotations

# The strictest rule the README's words allow: variables are documented as `true`/`false`,
# and `cf-aig-skip-cache` as `true`/`false` or `1`/`0` (README "Configuration").
TRUE = ("true", "1")
FALSE = ("false", "0")
EXPECTED = "expected true or false (or 1 or 0)"


def parse_flag(raw: str) -> bool:
    """Return what `raw` says (surrounding spaces and case ignored); ValueError if neither."""
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ValueError(EXPECTED)


def is_true(raw: str) -> bool:
    """Tell whether `raw` says true; anything else, malformed included, is not."""
    return raw.strip().lower() in TRUE
