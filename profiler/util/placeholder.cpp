// Replaced by the core implementation.
