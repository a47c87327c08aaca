"""Features: one module or package per capability, each exposing register(registry)."""
