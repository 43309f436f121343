"""The relay's core: runtime-free request handling, the same on both hosts."""
