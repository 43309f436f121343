"""The two hosts over the core: the Worker glue and the local ASGI host."""
