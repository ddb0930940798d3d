"""Queue building (exam budget + exploration), rule and score performance, backtests.

Pure logic over polars frames; the service reads the store and calls in here.
"""
