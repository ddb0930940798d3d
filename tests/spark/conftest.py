"""One Spark session for the Spark tests (local[2], small memory, no UI), started once; the tests that need
it skip, saying why, when pyspark or Java is absent."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from typing import Any

import pytest


def _why_not() -> str | None:
    try:
        import pandas  # noqa: F401  # pyspark's Arrow UDFs need it
        import pyspark  # noqa: F401
    except ImportError as exc:
        return f"the Spark tests need the spark extra (pip install 'interdictor[spark]'): {exc}"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "the Spark tests need Java 17+ (apt-get install openjdk-17-jre-headless)"
    return None


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    why = _why_not()
    if why:
        pytest.skip(why)
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (SparkSession.builder.master("local[2]").appName("interdictor tests")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "4").config("spark.default.parallelism", "2")
               .config("spark.driver.memory", "1g").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
