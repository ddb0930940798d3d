"""IATA Cargo-XML messages (XFWB, XFZB, XFHL): safe parsing and mapping onto shipments.

``safe`` parses untrusted XML with every dangerous feature off and hard bounds on size,
depth and element count; ``tree`` finds elements by local name (partners use any
namespace prefix, so prefixes are never matched); ``consignment`` maps a
``MasterConsignment`` or ``IncludedHouseConsignment`` onto a canonical shipment.
The reader is ``interdictor.intake.cargo_xml``.
"""
