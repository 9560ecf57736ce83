"""Service requests as DUIS XML for the HTTP transport: a thin bridge to the
project's one DUIS codec, :mod:`mhhs_sec.vectors.duis` (never a second one).

Both directions work on the JSON request object of
:func:`mhhs_sec.model.codec.encode_request`.
"""

from __future__ import annotations

from mhhs_sec.model.codec import decode_event, encode_request
from mhhs_sec.model.events import SubmitRequest

from .protocol import Json


def request_to_xml(request: Json) -> str:
    """The ``sr:Request`` XML (with the MHHS additions) of a request object."""
    from mhhs_sec.vectors import duis

    event = decode_event({"event": "submit", "request": request})
    assert isinstance(event, SubmitRequest)
    return duis.render_request(event.request)


def xml_to_request(xml: str) -> Json:
    """The request object of an ``sr:Request`` XML document; ValueError if it
    cannot be read."""
    from mhhs_sec.vectors import duis

    return encode_request(duis.parse_request(xml))
