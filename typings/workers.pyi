from typing import Any

class Response:
    js_object: Any
    def __init__(self, body: Any = ..., status: int = ..., headers: Any = ...) -> None: ...

class Request:
    js_object: Any
    def __init__(self, input: Any, **options: Any) -> None: ...

class WorkerEntrypoint:
    env: Any
