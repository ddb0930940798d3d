"""Storage: schema, migrations and repositories (SQLite by default, PostgreSQL by URL).

The pure core never imports this package; the CLI, service and worker do.
"""

from interdictor.store.db import Store, open_store

__all__ = ["Store", "open_store"]
