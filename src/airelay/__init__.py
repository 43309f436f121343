"""airelay: an OpenAI-compatible relay for Workers AI, on the edge and on your laptop."""

__version__ = "0.1.0"
