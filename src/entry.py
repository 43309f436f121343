"""The Worker's entry point: wiring only; the glue lives in airelay.hosts.worker."""

from workers import WorkerEntrypoint

from airelay.core.app import handle
from airelay.hosts.worker import serve


class Default(WorkerEntrypoint):
    async def fetch(self, request):  # type: ignore[no-untyped-def]
        return await serve(request, self.env, handle)
