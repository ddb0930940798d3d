"""IATA Cargo-IMP (Type-B text) messages: splitting, line groups, FWB, FHL and FFM.

The public reader is ``interdictor.intake.cargo_imp.read``; the modules here are its
parts: ``split`` cuts a stream into messages (stripping Type-B envelopes), ``lines``
groups a message's lines under their line identifiers, ``parties`` and ``fields``
read the elements FWB and FHL share, and ``fwb``/``fhl``/``ffm`` map each message
type onto canonical shipments.
"""
