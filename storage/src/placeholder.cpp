// Replaced by the storage implementation.
