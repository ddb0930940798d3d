"""Intake: one reader per partner format, each yielding canonical batches and rejects.

A reader is a generator ``read(source, options) -> Iterator[IntakeChunk]``.  It
never raises on a bad row or message: the problem comes back as a ``Reject``
naming the line/element, field and reason, and the good records go on.  Only a
source that cannot be read at all (missing file, not text) raises ``IntakeError``.
"""
