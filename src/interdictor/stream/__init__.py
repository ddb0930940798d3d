"""Streaming intake on NATS JetStream.

Partners publish raw messages on ``interdictor.intake.<partner>.<format>``; any
number of ``interdictor worker`` processes share one durable pull consumer, parse,
screen and store each message, and publish answers on
``interdictor.answers.<partner>``.  Unreadable messages go to
``interdictor.dead.<partner>`` with the reason.  Delivery is at least once; the
store makes it exactly once in effect: a message's key (partner, format, bytes)
is recorded in the ``stream_messages`` ledger, and shipment versions compare
content, so a redelivery never creates a second shipment.
"""
