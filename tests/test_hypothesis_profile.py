"""Hypothesis runs without timing the machine (tests/conftest.py's profile): a property test
fails on its inputs, never because a loaded machine took more than 200 ms for an example."""

from __future__ import annotations

from hypothesis import HealthCheck, settings


def test_the_loaded_profile_has_no_deadline_and_no_slowness_check() -> None:
    assert settings.default is not None
    assert settings.default.deadline is None
    assert HealthCheck.too_slow in settings.default.suppress_health_check


def test_a_test_naming_its_own_settings_inherits_no_deadline() -> None:
    assert settings(max_examples=5).deadline is None
