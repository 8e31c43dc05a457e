"""Copies of validated, frozen models with new timestamps, without re-running ``__init__``.

The backtest's paper venue answers the same market state at many instants: the same book,
rate, positions and margin, observed at a new time. Constructing each model again runs
every converter and validator on values that were validated when the first copy was
built; only the timestamps are new. :func:`restamped` copies the slots and sets the new
values, after checking them exactly as the models' ``to_utc`` converter and
``utc_datetime`` validator would accept them unchanged (an aware UTC ``datetime``, which
``astimezone(timezone.utc)`` returns as itself). Anything else is refused with a
``ValueError``, never copied unchecked; the caller then builds the model normally.
``tests/backtest/test_paper_venue_memos.py`` checks copies equal ``attrs.evolve``'s objects.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, TypeVar, cast

import attrs

T = TypeVar("T")

_Copier = Callable[..., Any]
_COPIERS: dict[tuple[type, tuple[str, ...], bool], _Copier] = {}


def _copier(cls: type, changed: tuple[str, ...], *, fresh: bool = False) -> _Copier:
    """A function ``(instance, *values)`` returning a copy of ``instance`` with the fields
    ``changed`` set to ``values``, by the slots' own setters (generated once per class and
    set of fields: a loop over names costs more than the copy itself). ``fresh``: every
    field is in ``changed``, and the function takes the values alone."""
    key = (cls, changed, fresh)
    copier = _COPIERS.get(key)
    if copier is not None:
        return copier
    fields = attrs.fields(cls)
    slots: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        for name in getattr(klass, "__slots__", ()):
            slots[name] = klass.__dict__[name]
    slots.pop("__weakref__", None)
    names = [f.name for f in fields]
    if set(slots) != set(names) or not set(changed) <= set(names):
        raise TypeError(f"{cls.__name__} is not a plain slotted attrs class with {changed}")
    if fresh and tuple(changed) != tuple(names):
        raise TypeError(f"{cls.__name__}'s fields are {names}, not {changed}")
    namespace: dict[str, Any] = {"new": cls.__new__, "cls": cls}
    values = ", ".join(f"v_{n}" for n in changed)
    head = f"def copy({values}):" if fresh else f"def copy(instance, {values}):"
    lines = [head, "    c = new(cls)"]
    for index, name in enumerate(names):
        namespace[f"s{index}"] = slots[name].__set__
        value = f"v_{name}" if name in changed else f"instance.{name}"
        lines.append(f"    s{index}(c, {value})")
    lines.append("    return c")
    exec("\n".join(lines), namespace)  # noqa: S102 - names come from attrs.fields only
    made: _Copier = namespace["copy"]
    _COPIERS[key] = made
    return made


def utc_instant(value: object) -> bool:
    """``value`` is what the models' UTC converter returns unchanged and accept."""
    return type(value) is datetime and value.tzinfo is timezone.utc


def restamped(instance: T, **changes: object) -> T:
    """A copy of ``instance`` (a frozen, slotted attrs model) with ``changes``, each a
    value the field's validator accepted on another object (the caller's promise: e.g. a
    leg's own, validated, liquidation price); equal to ``attrs.evolve(instance,
    **changes)``. Timestamps go through :func:`retimed`, which checks them."""
    copied: T = _copier(type(instance), tuple(changes))(instance, *changes.values())
    return copied


def copier(cls: type[T], *changed: str) -> Callable[..., T]:
    """The copy function :func:`restamped` uses for ``cls`` and the fields ``changed``:
    ``copier(cls, "a", "b")(instance, a, b)`` is ``restamped(instance, a=a, b=b)`` for an
    instance of exactly ``cls``. A hot caller keeps it, and skips ``restamped``'s keyword
    handling, about half of a copy; its values carry the same promise (validated, and
    timestamps checked with :func:`utc_instant` by the caller)."""
    made: Callable[..., T] = _copier(cls, changed)
    return made


def slot_builder(
    cls: type[T],
    shape: tuple[tuple[str, object, object], ...],
    post_init: object = None,
) -> Callable[..., T] | None:
    """A function ``(*values)`` returning a new ``cls`` with its fields set to ``values``
    (in field order) by the slots' own setters, without ``__init__``; ``None`` unless
    ``cls`` is exactly what its caller's checks were written for: ``shape`` is each
    field's ``(name, validator, converter)`` in order (an ``and_`` of validators as the
    tuple of them), ``post_init`` its ``__attrs_post_init__`` (or ``None``), and nothing
    runs on setattr or before ``__init__``. A model changed later (a new field, another
    validator) so builds through its constructor. The caller's promise: every value is
    one the field's converter returns unchanged and its validators and post-init check
    accept, checked for its common case (otherwise it calls ``cls(...)``)."""
    fields = attrs.fields(cast(Any, cls))
    described = tuple(
        (f.name, getattr(f.validator, "_validators", f.validator), f.converter) for f in fields
    )
    if (
        described != shape
        or getattr(cls, "__attrs_post_init__", None) is not post_init
        or hasattr(cls, "__attrs_pre_init__")
        or any(f.on_setattr for f in fields)
    ):
        return None
    made: Callable[..., T] = _copier(cls, tuple(f.name for f in fields), fresh=True)
    return made


def retimed(instance: T, **times: datetime) -> T:
    """:func:`restamped` with only timestamps changed, each checked."""
    for name, value in times.items():
        if not utc_instant(value):
            raise ValueError(f"{name}: {value!r} is not an aware UTC datetime")
    return restamped(instance, **times)


__all__ = ["copier", "restamped", "retimed", "slot_builder", "utc_instant"]
