"""Service requests as DUIS XML for the HTTP transport: a thin bridge to the
project's one DUIS codec, :mod:`mhhs_sec.vectors.duis` (never a second one).

Both directions work on the JSON request object of
:func:`mhhs_sec.model.codec.encode_request`; the XML is the ``mhhs:ServiceRequest``
envelope (role, ForSettlement flag) around a DUIS 5.4 ``sr:Request``.
"""

from __future__ import annotations

from mhhs_sec.model.codec import decode_event, encode_request
from mhhs_sec.model.events import SubmitRequest

from .protocol import Json


class NotExpressible(ValueError):
    """DUIS 5.4 cannot carry this request (e.g. a sender that is not an EUI-64);
    the HTTP adapter then sends it as a JSON event."""


def request_to_xml(request: Json) -> str:
    """The envelope XML of a request object.  Raises NotExpressible when DUIS
    cannot carry it.  Not validated here: the codec's own tests show its
    output valid, and the server may validate what it receives."""
    from mhhs_sec.vectors import duis

    event = decode_event({"event": "submit", "request": request})
    assert isinstance(event, SubmitRequest)
    try:
        return duis.render_envelope(event.request, validate=False)
    except duis.DuisError as error:
        raise NotExpressible(str(error)) from None


def xml_to_request(xml: str, *, validate: bool = False) -> Json:
    """The request object of an envelope (or bare ``sr:Request``) document;
    ValueError (DuisError) if it cannot be read.  ``validate``: check the
    ``sr:Request`` against the DUIS 5.4 schema when its folder is available."""
    from mhhs_sec.vectors import duis

    return encode_request(duis.parse_request(xml, validate=validate))
