"""Queue building (exam budget + exploration), the rules of an exam outcome (and outcomes read from a
file), rule and score performance, backtests.

Pure logic over polars frames; the service reads the store and calls in here.
"""
