"""The archive: stored shipments as partitioned Parquet, for re-screening and network building at scale.

``layout`` is the contract between the writer (``interdictor export --format parquet``) and its readers
(``interdictor spark rescreen``, polars, any Parquet tool): which tables, which columns, how they are
partitioned, and the manifest that says which code and schema wrote them.
"""
