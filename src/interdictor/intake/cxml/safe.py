"""Parse partner XML as hostile input.

* No DTD at all: a document that declares one (``<!DOCTYPE``, ``<!ENTITY``) is
  refused before parsing, and again if the parser reports one — this closes
  entity expansion ("billion laughs") and external entities (XXE) together.
* No network, no entity resolution, no huge-tree mode in libxml2.
* Bounded: document size, element depth and element count are capped, and the
  parse stops at the first element beyond a cap (iterparse), so a deep or wide
  document costs no more than the cap.
"""

from __future__ import annotations

from lxml import etree

from interdictor.intake.limits import XML_MAX_DEPTH, XML_MAX_DOCUMENT, XML_MAX_ELEMENTS

_FEED = 512  # bytes per parser feed: (256 - XML_MAX_DEPTH) * 3 > _FEED, so our cap always speaks first


class Refused(Exception):
    """The document is not acceptable XML; ``line`` is where the parser stopped, if known."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


def parse(data: bytes) -> etree._Element:
    if len(data) > XML_MAX_DOCUMENT:
        raise Refused(f"document is {len(data):,} bytes, over the {XML_MAX_DOCUMENT:,}-byte limit")
    for marker in (b"<!DOCTYPE", b"<!ENTITY", b"<\x00!\x00D\x00", b"\x00<\x00!\x00D"):
        at = data.find(marker)
        if at >= 0:
            raise Refused("document type declarations (DOCTYPE/ENTITY) are not accepted",
                          data.count(b"\n", 0, at) + 1)
    parser = etree.XMLPullParser(
        events=("start", "end"), resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=False, remove_comments=True, remove_pis=True, remove_blank_text=False, recover=False,
        collect_ids=False,
    )
    depth = count = 0
    root = None
    try:
        # Fed in small blocks so our depth cap is met before libxml2's own (256 levels, whose message
        # would tell a partner to "use XML_PARSE_HUGE"): a block adds at most FEED // 3 levels.
        for at in range(0, max(len(data), 1), _FEED):
            parser.feed(data[at:at + _FEED])
            for event, el in parser.read_events():
                if event == "start":
                    depth += 1
                    count += 1
                    if depth > XML_MAX_DEPTH:
                        raise Refused(f"elements nest deeper than {XML_MAX_DEPTH} levels", el.sourceline)
                    if count > XML_MAX_ELEMENTS:
                        raise Refused(f"more than {XML_MAX_ELEMENTS:,} elements", el.sourceline)
                    if root is None:
                        root = el
                else:
                    depth -= 1
        parser.close()
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
        if exc.code == etree.ErrorTypes.ERR_RESOURCE_LIMIT:  # libxml2's own caps, in our words
            raise Refused(f"elements nest deeper than {XML_MAX_DEPTH} levels or exceed a size limit", line) from None
        raise Refused(f"not well-formed XML: {exc.msg}"[:300], line) from None
    except (ValueError, LookupError) as exc:  # e.g. an unknown encoding in the declaration
        raise Refused(f"cannot parse XML: {exc}"[:300]) from None
    if root is None:
        raise Refused("no root element")
    tree = root.getroottree()
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        raise Refused("document type declarations (DOCTYPE/ENTITY) are not accepted")
    return root
