// Replaced by the agent implementation.
