"""Message stores: the interface in ``base``, the embedded SQLite store in ``sqlite``."""
