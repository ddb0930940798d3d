"""Detectors: pure functions ``(batch, context) -> reasons``.

Each detector looks at one aspect of a batch of canonical shipments and returns
a reasons table (``model.REASON_SCHEMA``).  Detectors never touch a connection,
never read a global setting and never raise on a bad value: missing data means
no reason.  ``registry.DETECTORS`` lists them in run order.
"""
