"""Platform adapters: translate platform events to the core's neutral model and back."""
