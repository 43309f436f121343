"""Static bounds on request shapes, shared by the request models and the docs."""

MAX_TEXT_CHARS = 1_048_576
MAX_NAME_CHARS = 256
MAX_ID_CHARS = 512
MAX_URL_CHARS = 2_097_152  # data: URLs carry whole images
MAX_MESSAGES = 2_048
MAX_CONTENT_PARTS = 256
MAX_TOOLS = 128
MAX_MINI_OUTPUT_TOKENS = 128_000
MAX_PRO_OUTPUT_TOKENS = 1_000_000
