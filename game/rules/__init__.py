"""Rules of the resolve phase, one module per concern, pure functions over arrays."""
