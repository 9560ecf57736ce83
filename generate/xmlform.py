"""Rendering a vector document as XML (jinja2 template
``generate/templates/vectors.xml.j2``), validated when written: the project
XSD for the whole file, and every ``sr:Request`` against the DUIS 5.4 schema
when :func:`mhhs_sec.settings.duis_dir` finds it (FS-1, REG-1, REG-2)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from mhhs_sec.conformance import duis_bridge
from mhhs_sec.vectors.xmlform import envelope_xml, json_to_xml, validate_xml

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def _template() -> jinja2.Template:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )  # fmt: skip
    return environment.get_template("vectors.xml.j2")


def as_duis(step: dict[str, Any]) -> bool:
    """Does the step's event travel as a DUIS ``sr:Request``?  Every submit
    does, except on a refused step whose request DUIS 5.4 cannot carry as it
    is (malformed input, a part its SRV may not have): that one is written as
    JSON-in-XML, as the HTTP transport sends it (``POST /mhhs/v1/event``), so
    the XML form carries every vector the JSON form does."""
    event = step["event"]
    if not isinstance(event, dict) or event.get("event") != "submit":
        return False
    if "refused" not in step:
        return True
    if not isinstance(event.get("request"), dict):
        return False
    try:
        duis_bridge.request_to_xml(event["request"])
    except ValueError:  # the codec refuses it, or DUIS cannot carry it as it is
        return False
    return True


def render_document(document: dict[str, Any], *, validate: bool = True) -> str:
    """The XML text of a vector document (DUIS parts validated as rendered)."""
    text = _template().render(
        d=document,
        as_duis=as_duis,
        json=lambda value: Markup(json_to_xml(value)),
        envelope=lambda request: Markup(envelope_xml(request, validate=validate)),
    )
    if validate:
        validate_xml(text, document["provenance"]["group"])
    return text if text.endswith("\n") else text + "\n"
