"""What answers for a model: the built-in local model and the local rate limiter."""
