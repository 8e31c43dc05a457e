"""Our OKX request signatures equal the official SDK's for identical inputs.

The reference is ``python-okx`` (OKX's own SDK, in the ``dev`` extra): its
``okx.utils.sign(okx.utils.pre_hash(...))`` and, end to end, the headers its
``OkxClient._request`` sends for the same call (its HTTP methods are replaced by a
recorder, so nothing leaves the process). Our code shares nothing with it.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.okx.signing import (
    Credentials,
    auth_headers,
    iso_timestamp,
    json_body,
    prehash,
    query_path,
    redact,
    signature,
)

okx_utils = pytest.importorskip("okx.utils")
okx_client = pytest.importorskip("okx.okxclient")

KEY = "a1b2c3d4-0000-1111-2222-333344445555"
SECRET = "5F2AB6C3D4E5F60718293A4B5C6D7E8F"
PASSPHRASE = "Pass-phrase#1"
CREDENTIALS = Credentials(KEY, SECRET, PASSPHRASE)


def sdk_signature(timestamp: str, method: str, path: str, body: str, secret: str) -> str:
    signed = okx_utils.sign(okx_utils.pre_hash(timestamp, method, path, body, False), secret)
    return signed.decode() if isinstance(signed, bytes) else str(signed)


def test_a_get_with_a_query_signs_like_the_sdk() -> None:
    stamp = "2020-12-08T09:08:57.715Z"
    path = query_path("/api/v5/account/balance", [("ccy", "USDT")])
    assert path == "/api/v5/account/balance?ccy=USDT"
    assert prehash(stamp, "get", path, "") == f"{stamp}GET{path}"
    assert signature(SECRET, stamp, "GET", path, "") == sdk_signature(
        stamp, "GET", path, "", SECRET
    )


def test_a_post_body_signs_like_the_sdk() -> None:
    stamp = "2026-12-06T22:01:02.003Z"
    body = json_body({"instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": "buy", "sz": "3"})
    assert json.loads(body)["sz"] == "3"
    assert signature(SECRET, stamp, "POST", "/api/v5/trade/order", body) == sdk_signature(
        stamp, "POST", "/api/v5/trade/order", body, SECRET
    )


class _Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, str], str]] = []


@pytest.mark.parametrize(
    ("method", "path", "params"),
    [
        ("GET", "/api/v5/account/positions", {"instType": "SWAP"}),
        ("GET", "/api/v5/trade/order", {"instId": "ETH-USDT-SWAP", "clOrdId": "afp0123abcd0000"}),
        (
            "POST",
            "/api/v5/trade/order",
            {
                "instId": "BTC-USDT-SWAP",
                "tdMode": "cross",
                "side": "sell",
                "ordType": "ioc",
                "sz": "12",
                "px": "65000.1",
                "clOrdId": "afp0123abcd0001",
            },
        ),
    ],
)
def test_the_sdks_request_headers_equal_ours(
    monkeypatch: pytest.MonkeyPatch, method: str, path: str, params: dict[str, str]
) -> None:
    """Drive the SDK's own request builder at a fixed timestamp and compare every auth
    header and the exact path/body it would send with what our signing produces."""
    stamp = "2026-12-06T21:59:59.999Z"
    monkeypatch.setattr(okx_utils, "get_timestamp", lambda: stamp)
    sdk = okx_client.OkxClient(KEY, SECRET, PASSPHRASE, flag="0", debug=False)
    sent: list[tuple[str, dict[str, str], Any]] = []

    class _Answer:
        @staticmethod
        def json() -> dict[str, Any]:
            return {"code": "0", "data": []}

    def fake_get(url: str, headers: dict[str, str]) -> _Answer:
        sent.append((url, headers, ""))
        return _Answer()

    def fake_post(url: str, data: str, headers: dict[str, str]) -> _Answer:
        sent.append((url, headers, data))
        return _Answer()

    monkeypatch.setattr(sdk, "get", fake_get)
    monkeypatch.setattr(sdk, "post", fake_post)
    sdk._request(method, path, params)
    sdk.close()
    [(sdk_url, sdk_headers, sdk_body)] = sent
    if method == "GET":
        ours_path, ours_body = query_path(path, list(params.items())), ""
    else:
        ours_path, ours_body = path, json_body(params)
    assert sdk_url == ours_path
    assert sdk_body == ours_body
    ours = auth_headers(CREDENTIALS, stamp, method, ours_path, ours_body)
    for header in (
        "OK-ACCESS-KEY",
        "OK-ACCESS-SIGN",
        "OK-ACCESS-TIMESTAMP",
        "OK-ACCESS-PASSPHRASE",
    ):
        sdk_value: Any = sdk_headers[header]  # the SDK keeps its signature as bytes
        sdk_text = sdk_value.decode() if isinstance(sdk_value, bytes) else str(sdk_value)
        assert ours[header] == sdk_text, header


@settings(max_examples=60, deadline=None)
@given(
    secret=st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1),
    body=st.dictionaries(
        st.sampled_from(["instId", "sz", "px", "side", "clOrdId"]),
        st.text(alphabet="ABCDEFxyz0123456789.-", max_size=20),
        max_size=5,
    ),
    millis=st.integers(min_value=946_684_800_000, max_value=7_258_118_400_000),
)
def test_any_secret_and_body_sign_like_the_sdk(
    secret: str, body: dict[str, str], millis: int
) -> None:
    stamp = iso_timestamp(datetime.fromtimestamp(millis / 1000, tz=timezone.utc))
    text = json_body(body)
    assert signature(secret, stamp, "POST", "/api/v5/trade/order", text) == sdk_signature(
        stamp, "POST", "/api/v5/trade/order", text, secret
    )


def test_timestamps_are_iso_utc_with_milliseconds_like_the_sdk() -> None:
    moment = datetime(2020, 12, 8, 9, 8, 57, 715_999, tzinfo=timezone.utc)
    assert iso_timestamp(moment) == "2020-12-08T09:08:57.715Z"
    # the SDK's own format: isoformat("T", "milliseconds") + "Z" of a naive UTC time
    naive = moment.replace(tzinfo=None)
    assert iso_timestamp(moment) == naive.isoformat("T", "milliseconds") + "Z"
    with pytest.raises(ValueError, match="timezone-aware"):
        iso_timestamp(naive)


def test_credentials_need_all_three_parts_and_never_show_them() -> None:
    assert Credentials.from_settings({}) is None
    with pytest.raises(ValueError, match="api_key, api_secret and passphrase"):
        Credentials.from_settings({"api_key": KEY, "api_secret": SECRET})
    shown = repr(CREDENTIALS)
    assert KEY not in shown and SECRET not in shown and PASSPHRASE not in shown


def test_redact_masks_secrets_and_base64_signatures() -> None:
    sign = signature(SECRET, "2020-12-08T09:08:57.715Z", "GET", "/api/v5/x", "")
    text = f"failed {sign} with {PASSPHRASE} and {KEY}"
    clean = redact(text, CREDENTIALS.secrets)
    assert sign not in clean and PASSPHRASE not in clean and KEY not in clean


def test_query_values_needing_encoding_are_refused_not_sent() -> None:
    with pytest.raises(ValueError, match="characters we do not send"):
        query_path("/api/v5/public/instruments", [("instId", "BTC USDT&x=1")])
