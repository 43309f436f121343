"""What importing the core does: what lands in the Worker's snapshot, and what waits for use."""

from __future__ import annotations

import subprocess
import sys


def imported_after(statement: str, prefixes: tuple[str, ...]) -> list[str]:
    """Run `statement` in a fresh interpreter; return the modules it left loaded that match."""
    probe = (
        f"import sys; {statement}; "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {prefixes!r}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return [name for name in result.stdout.strip().strip("[]").replace("'", "").split(", ") if name]


def test_importing_the_core_leaves_pyjwt_unloaded() -> None:
    assert imported_after("import airelay.core.app", ("jwt",)) == []


def test_checking_a_token_loads_pyjwt() -> None:
    statement = (
        "import airelay.core.app; from airelay.core.tokens import mint_token; "
        "mint_token('s' * 32, 'user-1')"
    )
    assert "jwt" in imported_after(statement, ("jwt",))


def test_importing_the_core_builds_both_model_routes_validators() -> None:
    statement = (
        "import airelay.core.app; from airelay.core import validation; "
        "assert validation._fail_fast.cache_info().currsize == 2"
    )
    assert imported_after(statement, ("airelay",))


def test_importing_the_core_draws_no_entropy() -> None:
    # workerd refuses randomness in a Python Worker's global scope (ARCHITECTURE.md, "Startup
    # and snapshots"); the warm-up at import must not need any.
    statement = (
        "import os, random\n"
        "def refuse(*_): raise AssertionError('entropy drawn at import')\n"
        "os.urandom = random._urandom = refuse\n"
        "import airelay.core.app"
    )
    assert imported_after(statement, ("airelay",))


def test_the_warm_up_answers_each_model_route_json_streamed_and_a_400() -> None:
    statement = "import airelay.core.app as app; assert app.WARM_UP_STATUSES == [200, 200, 400] * 2"
    assert imported_after(statement, ("airelay",))
