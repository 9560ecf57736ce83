"""Service requests as DUIS XML for the HTTP transport: a thin bridge to the
project's one DUIS codec, :mod:`mhhs_sec.vectors.duis` (never a second one).

Both directions work on the JSON request object of
:func:`mhhs_sec.vectors.jsonform.encode_request`; the XML is the ``mhhs:ServiceRequest``
envelope (role, ForSettlement flag) around a DUIS 5.4 ``sr:Request``.
"""

from __future__ import annotations

from typing import Final, NoReturn
from xml.parsers import expat

from mhhs_sec.model.codec import decode_event
from mhhs_sec.model.events import SubmitRequest
from mhhs_sec.vectors.jsonform import encode_request

from .protocol import Json

# The deepest element nesting accepted in a request document (an envelope
# around an sr:Request is 6 levels deep).
MAX_XML_DEPTH: Final = 32


class NotExpressible(ValueError):
    """DUIS 5.4 cannot carry this request (e.g. a sender that is not an EUI-64);
    the HTTP adapter then sends it as a JSON event."""


def request_to_xml(request: Json) -> str:
    """The envelope XML of a request object.  Raises NotExpressible when DUIS
    cannot carry it as it is: it cannot render it, or what it renders reads
    back as another request (a ReadLogPeriod on an SRV whose DUIS body has
    none).  Not validated here: the codec's own tests show its output valid,
    and the server may validate what it receives."""
    from mhhs_sec.vectors import duis

    event = decode_event({"event": "submit", "request": request})
    assert isinstance(event, SubmitRequest)
    try:
        xml = duis.render_envelope(event.request, validate=False)
        carried = duis.parse_request(xml, validate=False) == event.request
    except duis.DuisError as error:
        raise NotExpressible(str(error)) from None
    if not carried:
        raise NotExpressible("DUIS 5.4 reads the request back as another one")
    return xml


def xml_to_request(xml: str, *, validate: bool = False) -> Json:
    """The request object of an envelope (or bare ``sr:Request``) document;
    ValueError (DuisError, UnsafeXml) if it cannot be read.  ``validate``:
    check the ``sr:Request`` against the DUIS 5.4 schema when its folder is
    available.  The document is screened first (:func:`screen_xml`)."""
    from mhhs_sec.vectors import duis

    screen_xml(xml)
    return encode_request(duis.parse_request(xml, validate=validate))


class UnsafeXml(ValueError):
    """A request document with a document type declaration, or nested too deep."""


def screen_xml(xml: str) -> None:
    """Refuse (UnsafeXml) a document that declares a document type or nests
    elements deeper than MAX_XML_DEPTH, before anything else reads it.

    No entity is ever expanded, whatever the expat version: the handler of
    the start of a ``<!DOCTYPE`` raises, and expat calls it before it reads
    the internal subset, so no entity (internal, external or parameter) is
    ever declared; in a document without one, a reference to any entity but
    the five predefined ones is a well-formedness error.  Parameter entity
    parsing is off (``XML_PARAM_ENTITY_PARSING_NEVER``) and no external entity
    handler is set, so nothing outside the document is read either.  Malformed
    XML is left to the codec, which reports it."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype  # unreachable without a DOCTYPE: a second lock on the same door
    depth = 0

    def start(name: str, attributes: object) -> None:
        nonlocal depth
        depth += 1
        if depth > MAX_XML_DEPTH:
            raise UnsafeXml(f"elements nested deeper than {MAX_XML_DEPTH} levels")

    def end(name: str) -> None:
        nonlocal depth
        depth -= 1

    parser.StartElementHandler, parser.EndElementHandler = start, end
    try:
        parser.Parse(xml, True)
    except expat.ExpatError:
        return  # not well-formed: the codec says so


def _refuse_doctype(*_: object) -> NoReturn:
    raise UnsafeXml("a document type declaration (<!DOCTYPE>) is not accepted: no entity is ever declared or expanded")
