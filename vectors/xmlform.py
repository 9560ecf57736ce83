"""The XML form of vector files (``vectors/vector.xsd``): JSON-in-XML for
states, events and outputs, and for each submit event an ``mhhs:ServiceRequest``
envelope around a DUIS 5.4 ``sr:Request`` (:mod:`.duis`).  :func:`json_to_xml`
writes a value, :func:`read_xml_document` reads a whole file back to the JSON
document it came from."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path
from typing import Any, Final
from xml.sax.saxutils import escape, quoteattr

from mhhs_sec.model.codec import _Reader, decode_request
from mhhs_sec.model.events import SubmitRequest
from mhhs_sec.vectors.jsonform import encode_event

from . import duis
from .format import PROJECT_NAMESPACE, XSD_FILE

NS: Final = f"{{{PROJECT_NAMESPACE}}}"
Json = dict[str, Any]


def json_to_xml(value: Any, key: str | None = None) -> str:
    """One JSON value as o / a / s / i / b / z elements (key in attribute k)."""
    k = "" if key is None else f" k={quoteattr(key)}"
    if value is None:
        return f"<z{k}/>"
    if isinstance(value, bool):
        return f"<b{k}>{'true' if value else 'false'}</b>"
    if isinstance(value, int):
        return f"<i{k}>{value}</i>"
    if isinstance(value, str):
        return f"<s{k}>{escape(value)}</s>"
    if isinstance(value, list):
        return f"<a{k}>{''.join(json_to_xml(v) for v in value)}</a>"
    if isinstance(value, dict):
        return f"<o{k}>{''.join(json_to_xml(value[name], name) for name in sorted(value))}</o>"
    raise TypeError(f"not a JSON value: {value!r}")


def xml_to_json(element: ET.Element) -> Any:
    tag = element.tag.removeprefix(NS)
    if tag == "z":
        return None
    if tag == "b":
        return element.text == "true"
    if tag == "i":
        return int(element.text or "0")
    if tag == "s":
        return element.text or ""
    if tag == "a":
        return [xml_to_json(child) for child in element]
    if tag == "o":
        return {child.get("k"): xml_to_json(child) for child in element}
    raise ValueError(f"unexpected element {element.tag}")


def _value(parent: ET.Element, name: str) -> Any:
    found = parent.find(NS + name)
    if found is None:
        raise ValueError(f"missing {name}")
    return xml_to_json(found[0])


def envelope_xml(request_json: Json, *, validate: bool = True) -> str:
    """The envelope of a submit event's request JSON."""
    return duis.render_envelope(decode_request(_Reader(request_json, "request")), validate=validate)


def _acceptable(element: ET.Element) -> Json:
    requirements = (element.get("requirements") or "").split()
    return {"code": element.get("code"), "why": element.get("why"), "requirements": requirements}


def _step(element: ET.Element) -> Json:
    submit = element.find(NS + "Submit")
    if submit is not None:
        envelope = ET.tostring(submit[0], encoding="unicode")
        event = encode_event(SubmitRequest(duis.parse_request(envelope, validate=False)))
    else:
        event = _value(element, "Event")
    step: Json = {"event": event, "expected": []}
    for expected in element.findall(NS + "Expected"):
        requirements = (expected.get("requirements") or "").split()
        item: Json = {"output": xml_to_json(expected[0]), "why": expected.get("why"), "requirements": requirements}
        acceptable = [_acceptable(a) for a in expected.findall(NS + "Acceptable")]
        step["expected"].append(item | ({"acceptable": acceptable} if acceptable else {}))
    refused = element.find(NS + "Refused")
    if refused is not None:
        step["refused"] = {"field": refused.get("field"), "requirement": refused.get("requirement")}
    if element.get("comment") is not None:
        step["comment"] = element.get("comment")
    return step


def _vector(element: ET.Element) -> Json:
    vector: Json = {
        "id": element.get("id"),
        "comment": (element.findtext(NS + "Comment") or ""),
        "primary_requirement": element.findtext(NS + "PrimaryRequirement") or "",
        "requirements": [e.text for e in element.findall(NS + "Requirement")],
        "observables": [e.text for e in element.findall(NS + "Observable")],
        "tags": [e.text or "" for e in element.findall(NS + "Tag")],
        "profile": _value(element, "Profile"),
        "initial_state": _value(element, "InitialState"),
        "steps": [_step(s) for s in element.findall(NS + "Step")],
    }
    if element.find(NS + "Coverage") is not None:
        vector["coverage"] = _value(element, "Coverage")
    refused = element.find(NS + "ResetRefused")
    if refused is not None:
        vector["reset_refused"] = {key: refused.get(key) for key in ("field", "requirement", "why")}
    return vector


def read_xml_document(path: Path | str) -> Json:
    """The JSON document an XML vector file holds."""
    root = ET.parse(path).getroot()
    provenance = root.find(NS + "Provenance")
    assert provenance is not None
    seed = provenance.get("seed")
    document: Json = {
        "format": root.get("format"),
        "format_version": int(root.get("formatVersion") or 0),
        "generator": {"name": root.get("generator"), "version": root.get("generatorVersion")},
        "model_revision": root.get("modelRevision"),
        "provenance": {
            "generator": provenance.get("generator"),
            "group": provenance.get("group"),
            "description": provenance.findtext(NS + "Description") or "",
            "seed": None if seed is None else int(seed),
            "source": provenance.findtext(NS + "Source") or "",
        },  # fmt: skip
        "vectors": [_vector(v) for v in root.findall(NS + "Vector")],
    }
    if root.find(NS + "Coverage") is not None:
        document["coverage"] = _value(root, "Coverage")
    return document


@cache
def project_schema() -> Any:
    """The compiled project XSD (``vectors/vector.xsd``)."""
    import xmlschema

    return xmlschema.XMLSchema(str(XSD_FILE))


def validate_xml(text: str, where: str) -> None:
    """Raise ValueError naming the file and the path of the first XSD error."""
    error = next(iter(project_schema().iter_errors(text)), None)
    if error is not None:
        raise ValueError(f"{where}: {error.path}: {error.reason}")
