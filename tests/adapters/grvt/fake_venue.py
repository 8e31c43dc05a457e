"""A fake GRVT on the fake-venue harness (:mod:`tests.harness`), speaking its wire format
on 127.0.0.1 (real sockets, so asyncio and trio clients alike).

Three hosts share one exchange state, like GRVT's three hosts: auth ("edge": API-key
login answering ``Set-Cookie: gravity=...`` + ``X-Grvt-Account-Id``), market data
(instruments, ticker, book) and trading (session-checked; orders verified by recovering
the EIP-712 signer, with GRVT's error codes and HTTP statuses). Each host is one
:class:`GrvtHost` (a :class:`~tests.harness.FakeVenue`) on its own port; :func:`serve`
runs the three.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.utils import format_datetime
from typing import Any

import attrs
from eth_account import Account

from adapters._http import loads
from adapters.grvt.signing import (
    PRICE_DECIMALS,
    TIME_IN_FORCE_CODES,
    OrderToSign,
    recover_signer,
    scale_exact,
)
from tests.adapters.grvt._data import instrument_row
from tests.harness import FakeVenue, Reply, Request, running

Json = dict[str, Any]
Answer = tuple[int, Json, dict[str, str]]


@attrs.define
class Exchange:
    """What the fake GRVT knows and what it saw."""

    api_key: str
    sub_account_id: str
    authorised_key: str
    chain_id: int = 325
    cookie_lifetime: timedelta = timedelta(hours=24)
    instruments: list[Json] = attrs.Factory(
        lambda: [
            instrument_row(),
            instrument_row("ETH_USDT_Perp", "0x030401", "0.01", "0.01", interval=8),
        ]
    )
    sessions: dict[str, str] = attrs.Factory(dict)  # cookie -> account id
    orders: dict[str, Json] = attrs.Factory(dict)  # client_order_id -> order
    logins: int = 0
    recovered_signers: list[str] = attrs.Factory(list)
    trading_headers: list[tuple[str, str, str]] = attrs.Factory(list)  # path, cookie, account
    funding_rates: dict[str, str] = attrs.Factory(dict)  # instrument -> ticker funding_rate
    instrument_requests: int = 0
    ticker_times: tuple[int, int] | None = None  # (event_time, next_funding_time) ns, fixed
    fee_tier: int | None = None  # funding_account_summary tier.tier (the docs' example: null)
    equity: str = "1000.5"  # account_summary total_equity
    # margin_rules per instrument: BTC's is the api-spec's documented full response (MIT,
    # gravity-technologies/api-spec market_data_api.md "Get Margin Rules"); an instrument
    # without rules answers GRVT's documented 1004 "Data Not Found"
    margin_rules: dict[str, Json] = attrs.Factory(
        lambda: {
            "BTC_USDT_Perp": {
                "instrument": "BTC_USDT_Perp",
                "max_position_size": "100.0",
                "risk_brackets": [
                    {
                        "tier": 1,
                        "notional_floor": "0",
                        "notional_cap": "600000",
                        "maintenance_margin_rate": "0.01",
                        "initial_margin_rate": "0.02",
                        "max_leverage": 50,
                        "cumulative_maintenance_amount": "0",
                    }
                ],
            }
        }
    )
    margin_rules_requests: int = 0
    # (host role, http status, code, message): answered once by that host
    force_error: tuple[str, int, int, str] | None = None
    lock: threading.RLock = attrs.Factory(threading.RLock)
    """One lock for the three hosts' state (each host's requests run under it)."""

    @property
    def authorised_address(self) -> str:
        return str(Account.from_key(self.authorised_key).address)

    def instrument(self, name: str) -> Json | None:
        return next((i for i in self.instruments if i["instrument"] == name), None)


def _error(status: int, code: int, message: str) -> Answer:
    return status, {"request_id": 1, "code": code, "message": message, "status": status}, {}


class GrvtHost(FakeVenue):
    """One of GRVT's hosts (``role``: ``auth``, ``market`` or ``trading``) over the shared
    :class:`Exchange`. Bodies are JSON read with Decimals, as GRVT reads them."""

    def __init__(self, exchange: Exchange, role: str) -> None:
        super().__init__()
        self.exchange = exchange
        self.role = role
        self.lock = exchange.lock

    def handle(self, request: Request) -> Reply:
        try:
            body = loads(request.body) if request.body else {}
        except ValueError:
            return _reply(
                _error(400, 1003, "Request could not be processed due to malformed syntax")
            )
        return _reply(self._route(request, body))

    def _route(self, request: Request, body: Json) -> Answer:
        ex = self.exchange
        if ex.force_error is not None and ex.force_error[0] == self.role:
            _, status, code, message = ex.force_error
            ex.force_error = None
            return _error(status, code, message)
        handlers: dict[str, Callable[[Json], Answer]] = {}
        if self.role == "auth":
            handlers = {"/auth/api_key/login": self._login}
        elif self.role == "market":
            handlers = {
                "/full/v1/all_instruments": self._instruments,
                "/full/v1/ticker": self._ticker,
                "/full/v1/book": self._book,
                "/full/v1/margin_rules": self._margin_rules,
            }
        elif self.role == "trading":
            if self._session(request) is None:
                return _error(
                    401, 1000, "You need to authenticate prior to using this functionality"
                )
            if request.path == "/full/v1/funding_account_summary":  # main account only
                return self._funding_summary(body)
            order = body.get("order") or {}
            if str(body.get("sub_account_id", order.get("sub_account_id"))) != ex.sub_account_id:
                return _error(403, 1001, "You are not authorized to access this functionality")
            handlers = {
                "/full/v1/create_order": self._create,
                "/full/v1/order": self._get_order,
                "/full/v1/cancel_order": self._cancel,
                "/full/v1/positions": self._positions,
                "/full/v1/account_summary": self._summary,
            }
        handler = handlers.get(request.path) if request.method == "POST" else None
        if handler is None:
            return _error(404, 1004, "Data Not Found")
        return handler(body)

    # --- auth ------------------------------------------------------------------------

    def _login(self, body: Json) -> Answer:
        ex = self.exchange
        if body.get("api_key") != ex.api_key:
            return _error(401, 1000, "You need to authenticate prior to using this functionality")
        ex.logins += 1
        cookie = secrets.token_hex(16)
        account_id = f"acc-{ex.logins}"
        ex.sessions = {cookie: account_id}  # a new login replaces the old session
        expires = datetime.now(UTC) + ex.cookie_lifetime
        set_cookie = (
            f"gravity={cookie}; Path=/; Expires={format_datetime(expires, usegmt=True)}; "
            "HttpOnly; Secure; SameSite=Lax"
        )
        answer = {"status": "success", "funding_account_address": "0xabc", "sub_account_id": "0"}
        return 200, answer, {"Set-Cookie": set_cookie, "X-Grvt-Account-Id": account_id}

    def _session(self, request: Request) -> str | None:
        cookies = dict(
            part.strip().split("=", 1)
            for part in (request.headers.get("Cookie") or "").split(";")
            if "=" in part
        )
        cookie = cookies.get("gravity", "")
        account = request.headers.get("X-Grvt-Account-Id") or ""
        self.exchange.trading_headers.append((request.path, cookie, account))
        if self.exchange.sessions.get(cookie) != account:
            return None
        return account

    # --- market data -----------------------------------------------------------------

    def _instruments(self, body: Json) -> Answer:
        self.exchange.instrument_requests += 1
        return 200, {"result": self.exchange.instruments}, {}

    def _ticker(self, body: Json) -> Answer:
        name = body.get("instrument")
        if self.exchange.instrument(str(name)) is None:
            return _error(400, 1003, "unknown instrument")
        now = time.time_ns()
        next_ns = (now // 28_800_000_000_000 + 1) * 28_800_000_000_000
        if self.exchange.ticker_times is not None:
            now, next_ns = self.exchange.ticker_times
        return (
            200,
            {
                "result": {
                    "event_time": str(now),
                    "instrument": name,
                    "mark_price": "70000.0",
                    "index_price": "70001.0",
                    "funding_rate": self.exchange.funding_rates.get(str(name), "0.01"),
                    "next_funding_time": str(next_ns),
                }
            },
            {},
        )

    def _margin_rules(self, body: Json) -> Answer:
        self.exchange.margin_rules_requests += 1
        name = str(body.get("instrument"))
        if self.exchange.instrument(name) is None:
            return _error(400, 3000, "Instrument is invalid")
        rules = self.exchange.margin_rules.get(name)
        if rules is None:
            return _error(404, 1004, "Data Not Found")
        return 200, rules, {}  # the documented body is not wrapped in "result"

    def _book(self, body: Json) -> Answer:
        return (
            200,
            {
                "result": {
                    "event_time": str(time.time_ns()),
                    "instrument": body.get("instrument"),
                    "bids": [{"price": "69999.9", "size": "1.5", "num_orders": "2"}],
                    "asks": [{"price": "70000.1", "size": "2.5", "num_orders": "3"}],
                }
            },
            {},
        )

    # --- trading ---------------------------------------------------------------------

    def _create(self, body: Json) -> Answer:
        ex = self.exchange
        order = body.get("order")
        if not isinstance(order, dict):
            return _error(400, 1003, "malformed")
        legs = order.get("legs") or []
        if len(legs) != 1:
            return _error(400, 2042, "Orderbook Orders must contain only one leg")
        leg = legs[0]
        instrument = ex.instrument(str(leg.get("instrument")))
        if instrument is None:
            return _error(400, 2061, "Unsupported Instrument Requested")
        metadata = order.get("metadata") or {}
        client_id = str(metadata.get("client_order_id") or "")
        if not client_id:
            return _error(400, 2011, "Client Order ID should be supplied when creating an order")
        existing = ex.orders.get(client_id)
        if existing is not None and existing["state"]["status"] in ("PENDING", "OPEN"):
            return _error(400, 2012, "Client Order ID overlaps with existing active order")
        signature = order.get("signature") or {}
        expiration = int(signature.get("expiration", "0"))
        now_ns = time.time_ns()
        if expiration <= now_ns:
            return _error(403, 2001, "Signature has expired")
        if expiration > now_ns + 30 * 24 * 3600 * 10**9:
            return _error(400, 2008, "Signature expiration too long")
        if int(str(signature.get("chain_id", "0"))) not in (0, ex.chain_id):
            return _error(400, 1012, "Invalid signature chain ID")
        size = Decimal(str(leg["size"]))
        price = Decimal(str(leg["limit_price"]))
        if size % Decimal(instrument["min_size"]) != 0:
            return _error(400, 2065, "Order size too granular")
        if price % Decimal(instrument["tick_size"]) != 0:
            return _error(400, 2064, "Invalid limit price tick")
        try:
            signed = OrderToSign(
                sub_account_id=int(order["sub_account_id"]),
                asset_id=int(instrument["instrument_hash"], 16),
                contract_size=scale_exact(size, int(instrument["base_decimals"]), "size"),
                limit_price=scale_exact(price, PRICE_DECIMALS, "price"),
                is_buying=bool(leg["is_buying_asset"]),
                time_in_force=TIME_IN_FORCE_CODES[str(order["time_in_force"])],
                nonce=int(signature["nonce"]),
                expiration_ns=expiration,
                is_market=bool(order.get("is_market")),
                post_only=bool(order.get("post_only")),
                reduce_only=bool(order.get("reduce_only")),
            )
            recovered = recover_signer(
                signed, ex.chain_id, str(signature["r"]), str(signature["s"]), int(signature["v"])
            )
        except (KeyError, ValueError, TypeError):
            return _error(403, 2002, "Signature does not match payload")
        ex.recovered_signers.append(recovered)
        if recovered.lower() != str(signature.get("signer", "")).lower():
            return _error(403, 2002, "Signature does not match payload")
        if recovered != ex.authorised_address:
            return _error(403, 2000, "Signature is from an unauthorized signer")
        immediate = order["time_in_force"] in ("IMMEDIATE_OR_CANCEL", "FILL_OR_KILL")
        stored = {
            "order_id": "0x" + secrets.token_hex(16),
            "sub_account_id": order["sub_account_id"],
            "is_market": order.get("is_market", False),
            "time_in_force": order["time_in_force"],
            "post_only": order.get("post_only", False),
            "reduce_only": order.get("reduce_only", False),
            "legs": [leg],
            "signature": signature,
            "metadata": {"client_order_id": client_id, "create_time": str(now_ns)},
            "state": {
                "status": "FILLED" if immediate else "OPEN",
                "reject_reason": "UNSPECIFIED",
                "book_size": ["0" if immediate else leg["size"]],
                "traded_size": [leg["size"] if immediate else "0"],
                "update_time": str(now_ns),
                "avg_fill_price": [leg["limit_price"] if immediate else "0"],
            },
        }
        ex.orders[client_id] = stored
        answer = json.loads(json.dumps(stored))
        answer["order_id"] = "0x00"
        answer["state"] = {**stored["state"], "status": "PENDING"}
        return 200, {"result": answer}, {}

    def _get_order(self, body: Json) -> Answer:
        found = self.exchange.orders.get(str(body.get("client_order_id")))
        if found is None:
            return _error(404, 1004, "Data Not Found")
        return 200, {"result": found}, {}

    def _cancel(self, body: Json) -> Answer:
        client_id = str(body.get("client_order_id") or "")
        if not client_id and not body.get("order_id"):
            return _error(400, 3021, "Either order ID or client order ID must be supplied")
        found = self.exchange.orders.get(client_id)
        if found is not None and found["state"]["status"] in ("PENDING", "OPEN"):
            found["state"] = {
                **found["state"],
                "status": "CANCELLED",
                "reject_reason": "CLIENT_CANCEL",
                "book_size": ["0"],
                "update_time": str(time.time_ns()),
            }
        return 200, {"result": {"ack": True}}, {}

    def _positions(self, body: Json) -> Answer:
        row = {
            "event_time": str(time.time_ns()),
            "sub_account_id": self.exchange.sub_account_id,
            "instrument": "ETH_USDT_Perp",
            "size": "-1.25",
            "notional": "-4375.0",
            "entry_price": "3500.0",
            "mark_price": "3501.0",
            "unrealized_pnl": "-1.25",
            "est_liquidation_price": "4100.5",
            "leverage": "10",
            "cumulative_realized_funding_payment": "-0.75",
        }
        return 200, {"result": [row]}, {}

    def _funding_summary(self, body: Json) -> Answer:
        # the api-spec's "Funding Account Summary" full response example (MIT,
        # gravity-technologies/api-spec trading_api.md), with tier.tier set by the test
        tier = self.exchange.fee_tier
        return (
            200,
            {
                "result": {
                    "main_account_id": "0xc73c0c2538fd9b833d20933ccc88fdaa74fcb0d0",
                    "total_equity": "3945034.23",
                    "spot_balances": [],
                    "vault_investments": [],
                    "total_cash_balance": "1000000.00",
                    "total_spot_asset_balance": "500000.00",
                },
                "tier": {
                    "tier": tier,
                    "futures_taker_fee": None,
                    "futures_maker_fee": None,
                    "options_taker_fee": None,
                    "options_maker_fee": None,
                },
            },
            {},
        )

    def _summary(self, body: Json) -> Answer:
        return (
            200,
            {
                "result": {
                    "event_time": str(time.time_ns()),
                    "sub_account_id": self.exchange.sub_account_id,
                    "settle_currency": "USDT",
                    "total_equity": self.exchange.equity,
                    "maintenance_margin": "0",
                    "available_balance": "900.25",
                    "spot_balances": [{"currency": "USDT", "balance": "1000.5"}],
                    "positions": [],
                }
            },
            {},
        )


def _reply(answer: Answer) -> Reply:
    status, payload, headers = answer
    return Reply(status, json.loads(json.dumps(payload, default=str)), headers)


@attrs.frozen
class Hosts:
    market: str
    trading: str
    auth: str


@contextmanager
def serve(exchange: Exchange) -> Iterator[Hosts]:
    """Run the three GRVT hosts on 127.0.0.1 (ephemeral ports) for the block."""
    with ExitStack() as stack:
        urls = {
            role: stack.enter_context(running(GrvtHost(exchange, role))).url
            for role in ("market", "trading", "auth")
        }
        yield Hosts(urls["market"], urls["trading"], urls["auth"])


__all__ = ["Exchange", "GrvtHost", "Hosts", "serve"]
