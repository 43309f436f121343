# The JS global scope as Pyodide exposes it: every name is a JS value.
from typing import Any

def __getattr__(name: str) -> Any: ...
