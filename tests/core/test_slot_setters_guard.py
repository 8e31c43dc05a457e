"""``slot_setters`` gives no setters for a model shape its callers' one-check
constructors were not written for, including shapes the fields' (name, validator,
converter) do not show: a field the constructor does not take by its name (``init=False``,
an alias) and a cached hash, which a slot-set object would lack (a reviewer's case:
``hash()`` of such an object raised ``AttributeError``)."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from atomic_fp.models._validators import slot_setters


def _describe(field: Any) -> tuple[object, ...]:
    return (field.name,)


@attrs.frozen
class _Plain:
    x: int
    y: int


@attrs.frozen(cache_hash=True)
class _CachedHash:
    x: int
    y: int


@attrs.frozen
class _NotInit:
    x: int
    y: int = attrs.field(init=False, default=0)


@attrs.frozen
class _Aliased:
    x: int
    y: int = attrs.field(alias="why")


def test_the_shape_written_for_gets_its_setters() -> None:
    setters = slot_setters(_Plain, (("x",), ("y",)), _describe)
    assert setters is not None and len(setters) == 2


@pytest.mark.parametrize("cls", [_CachedHash, _NotInit, _Aliased])
def test_a_shape_the_fields_do_not_show_gets_none(cls: type[Any]) -> None:
    assert slot_setters(cls, (("x",), ("y",)), _describe) is None


def test_the_models_using_it_keep_their_setters() -> None:
    from atomic_fp.models import funding, market

    assert funding._slot_setters() is not None
    assert market._slot_setters() is not None
