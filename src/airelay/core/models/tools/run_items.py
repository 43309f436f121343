"""The code, shell and patch calls a caller sends back, with their outputs."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from airelay.core.limits import MAX_CONTENT_PARTS
from airelay.core.models.common import Identifier, Name, Text, Url
from airelay.core.models.tools.base import CallStatus, Count, Deferred, Headers, ItemId, Parts
from airelay.core.models.tools.definitions import ContainerReference, LocalEnvironment


class DirectCaller(Deferred):
    type: Literal["direct"]


class ProgramCaller(Deferred):
    type: Literal["program"]
    caller_id: Identifier


Caller = Annotated[DirectCaller | ProgramCaller, Field(discriminator="type")]


class LogsOutput(Deferred):
    type: Literal["logs"]
    logs: Text


class ImageOutput(Deferred):
    type: Literal["image"]
    url: Url


class CodeInterpreterCallItem(Deferred):
    type: Literal["code_interpreter_call"]
    id: ItemId
    code: Text | None
    container_id: Identifier
    outputs: (
        Annotated[list[Annotated[LogsOutput | ImageOutput, Field(discriminator="type")]], Parts]
        | None
    )
    status: Literal["in_progress", "completed", "incomplete", "interpreting", "failed"]


class LocalShellAction(Deferred):
    type: Literal["exec"]
    command: Annotated[list[Text], Field(min_length=1, max_length=MAX_CONTENT_PARTS)]
    env: Headers
    timeout_ms: Count | None = None
    user: Name | None = None
    working_directory: Text | None = None


class LocalShellCallItem(Deferred):
    type: Literal["local_shell_call"]
    id: ItemId
    action: LocalShellAction
    call_id: Identifier
    status: CallStatus


class LocalShellCallOutputItem(Deferred):
    type: Literal["local_shell_call_output"]
    id: ItemId
    output: Text
    status: CallStatus | None = None


class ShellAction(Deferred):
    commands: Annotated[list[Text], Parts]
    max_output_length: Count | None = None
    timeout_ms: Count | None = None


class ShellCallItem(Deferred):
    type: Literal["shell_call"]
    action: ShellAction
    call_id: Identifier
    id: ItemId | None = None
    caller: Caller | None = None
    environment: (
        Annotated[LocalEnvironment | ContainerReference, Field(discriminator="type")] | None
    ) = None
    status: CallStatus | None = None


class ExitOutcome(Deferred):
    type: Literal["exit"]
    exit_code: Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]


class TimeoutOutcome(Deferred):
    type: Literal["timeout"]


class ShellOutputChunk(Deferred):
    outcome: Annotated[ExitOutcome | TimeoutOutcome, Field(discriminator="type")]
    stderr: Text
    stdout: Text


class ShellCallOutputItem(Deferred):
    type: Literal["shell_call_output"]
    call_id: Identifier
    output: Annotated[list[ShellOutputChunk], Parts]
    id: ItemId | None = None
    caller: Caller | None = None
    max_output_length: Count | None = None
    status: CallStatus | None = None


class CreateFile(Deferred):
    type: Literal["create_file"]
    path: Text
    diff: Text


class DeleteFile(Deferred):
    type: Literal["delete_file"]
    path: Text


class UpdateFile(Deferred):
    type: Literal["update_file"]
    path: Text
    diff: Text


class ApplyPatchCallItem(Deferred):
    type: Literal["apply_patch_call"]
    call_id: Identifier
    operation: Annotated[CreateFile | DeleteFile | UpdateFile, Field(discriminator="type")]
    status: Literal["in_progress", "completed"]
    id: ItemId | None = None
    caller: Caller | None = None


class ApplyPatchCallOutputItem(Deferred):
    type: Literal["apply_patch_call_output"]
    call_id: Identifier
    status: Literal["completed", "failed"]
    id: ItemId | None = None
    caller: Caller | None = None
    output: Text | None = None
