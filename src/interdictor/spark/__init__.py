"""Re-screening the Parquet archive on Apache Spark with the same screening pass (an entry point).

``job`` drives it (``interdictor spark rescreen`` and ``submit.py`` under spark-submit share
``job.execute``); ``survey`` reads the archive's partitions from their footers; ``batches`` screens one
partner's filing day with ``screening.batch.screen_batch``.  Importing this package does not import
pyspark; ``job`` imports it when a job runs.
"""
