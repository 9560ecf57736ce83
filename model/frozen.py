"""``@frozen``: the model's immutable values, made fast to build.

``@frozen`` is ``@dataclass(frozen=True, slots=True)`` with one change: the
generated ``__init__`` writes each slot through its member descriptor instead
of calling ``object.__setattr__`` per field (how a frozen dataclass gets round
its own ``__setattr__``), which halves the cost of making a value.  Signature,
defaults, ``default_factory``, ``__post_init__``, equality, hashing, ``repr``,
immutability and ``dataclasses.replace`` are those of the dataclass.  The model
makes several such values on every step (requests, responses, queued work,
decisions, log entries), so this is where much of its time goes.

:func:`replacer` makes the matching fast ``dataclasses.replace`` for one class.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Final, TypeVar, dataclass_transform

T = TypeVar("T")


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def frozen(cls: type[T]) -> type[T]:
    """A frozen, slotted dataclass whose ``__init__`` writes its slots directly."""
    made: Any = dataclasses.dataclass(frozen=True, slots=True)(cls)
    made.__init__ = _fast_init(made)
    return made  # type: ignore[no-any-return]


def replacer(cls: type[T]) -> Callable[..., T]:
    """``dataclasses.replace`` for one ``@frozen`` class, without its per-call
    overhead: ``replace(value, **changes)`` makes a copy sharing every field not
    named (an unknown field is a TypeError); ``__post_init__`` is not re-run."""
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    namespace: dict[str, object] = {"_new": object.__new__, "cls": cls, "_UNCHANGED": _UNCHANGED}
    lines = [f"def replace(value, *, {', '.join(f'{n}=_UNCHANGED' for n in names)}):", "    new = _new(cls)"]
    for n in names:
        namespace[f"_set_{n}"] = vars(cls)[n].__set__
        lines.append(f"    _set_{n}(new, value.{n} if {n} is _UNCHANGED else {n})")
    lines.append("    return new")
    exec("\n".join(lines), namespace)  # noqa: S102 - generated from the dataclass fields
    replace: Any = namespace["replace"]
    replace.__qualname__ = f"replacer({cls.__name__})"
    return replace  # type: ignore[no-any-return]


_UNCHANGED: Final = object()


def _fast_init(cls: Any) -> Callable[..., None]:
    namespace: dict[str, object] = {"_MISSING": dataclasses.MISSING}
    params, body = [], []
    for f in dataclasses.fields(cls):
        if not f.init or f.kw_only:  # not mutated: a guard on the model's class definitions; none trips it
            raise TypeError(f"@frozen does not support init=False or kw_only fields ({cls.__name__}.{f.name})")
        namespace[f"_set_{f.name}"] = vars(cls)[f.name].__set__
        value = f.name
        if f.default is not dataclasses.MISSING:
            namespace[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
        elif f.default_factory is not dataclasses.MISSING:
            namespace[f"_factory_{f.name}"] = f.default_factory
            params.append(f"{f.name}=_MISSING")
            value = f"_factory_{f.name}() if {f.name} is _MISSING else {f.name}"
        else:
            params.append(f.name)
        body.append(f"    _set_{f.name}(self, {value})")
    if hasattr(cls, "__post_init__"):  # not mutated: no @frozen class of the model has one
        body.append("    self.__post_init__()")
    source = f"def __init__(self, {', '.join(params)}):\n" + "\n".join(body or ["    pass"])
    exec(source, namespace)  # noqa: S102 - generated from the dataclass fields, as dataclasses does
    init: Any = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = f"Make a {cls.__name__} (see :mod:`mhhs_sec.model.frozen`)."
    return init  # type: ignore[no-any-return]
