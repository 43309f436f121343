"""What a variable, a flag or a header says: true or false (`true`/`false` or `1`/`0`), a number."""

from __future__ import annotations

import math

# The strictest rule the README's words allow: variables are documented as `true`/`false`,
# and `cf-aig-skip-cache` as `true`/`false` or `1`/`0` (docs/configuration.md).
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


def parse_number(raw: str, name: str, unit: str, *, zero: bool = False) -> float:
    """Return the finite number `raw` says, > 0 (>= 0 if `zero`); ValueError naming `name` else."""
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0 or (value == 0 and not zero):
        bound = ">= 0" if zero else "> 0"
        raise ValueError(f"{name} must be a number of {unit} {bound}, got {raw!r}")
    return value
