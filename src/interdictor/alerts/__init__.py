"""Pushing events out: the deliverer that sends the outbox's deliveries by webhook and e-mail.

It sits above the store (it reads and updates deliveries there) and below the entry points, which
each run one in a thread of its own (``serve``, ``worker``) or once (``interdictor alerts deliver``).
"""

from interdictor.alerts.deliver import Deliverer, DeliveryPolicy, DeliveryThread, PassSummary, deliver_once
from interdictor.alerts.sign import SIGNATURE_HEADER, sign, verify

__all__ = ["SIGNATURE_HEADER", "Deliverer", "DeliveryPolicy", "DeliveryThread", "PassSummary", "deliver_once", "sign",
           "verify"]
