"""The private half of the fake Paradex: JWT auth, orders, positions, balance, payments.

Awkward the way Paradex is (paradex-py 0.8.2 ``api_client.py`` and generated
``responses.py``; docs.paradex.trade API reference "Create order", "Receive window"):

- ``POST /v1/auth/{public key}`` verifies the ``Request`` typed-data signature in
  ``PARADEX-STARKNET-SIGNATURE`` with the account's registered public key (the chain id
  is part of the signed domain) and answers ``{"jwt_token": ...}``, a JWT whose ``exp``
  is ``jwt_lifetime_s`` away; a private call without a live token is a 401
  ``INVALID_TOKEN``; ``revoke_tokens()`` expires every token early (the venue can);
- ``POST /v1/orders`` rebuilds the ``Order`` typed data *from the body* the way
  paradex-py's ``build_order_message`` does (its own code here, not the client's) and
  verifies the signature; an order arriving after ``signature_timestamp + recv_window``
  is refused; a reused ``client_id`` is ``DUPLICATED_CLIENT_ID``;
- the create answer is never final: it is the order in status ``NEW`` (Paradex queues
  it for risk checks); matching happens just after, so only a lookup shows the fill;
- ``DELETE /v1/orders/by_client_id/{id}`` answers 204 with no body; a closed order is
  ``ORDER_IS_CLOSED``; an unknown client id is a 404 ``CLIENT_ORDER_ID_NOT_FOUND``;
- ``/positions`` and ``/balance`` are ``{"results": [...]}`` with string numbers and
  ``last_updated_at`` as a string (as in the recorded testnet fixture);
- ``/funding/payments`` pages newest first with opaque cursors.
"""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from adapters.paradex.signing import TypedData, chain_id_felt, verify_hash
from tests.harness import Reply, Request, route

DEFAULT_BOOK = {"ask": Decimal("67643.2"), "bid": Decimal("66810")}


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _felt_type(*names: str) -> list[dict[str, str]]:
    return [{"name": n, "type": "felt"} for n in names]


def venue_order_typed_data(chain: str, body: dict[str, Any]) -> dict[str, Any]:
    """What Paradex verifies an order against, rebuilt from the request body as
    paradex-py's ``build_order_message`` + ``Order.chain_size``/``chain_price`` do."""
    market_order = body["type"] == "MARKET"
    return {
        "domain": {"name": "Paradex", "chainId": hex(chain_id_felt(chain)), "version": "1"},
        "primaryType": "Order",
        "types": {
            "StarkNetDomain": _felt_type("name", "chainId", "version"),
            "Order": _felt_type("timestamp", "market", "side", "orderType", "size", "price"),
        },
        "message": {
            "timestamp": str(body["signature_timestamp"]),
            "market": body["market"],
            "side": "1" if body["side"] == "BUY" else "2",
            "orderType": body["type"],
            "size": str(int(Decimal(body["size"]).scaleb(8))),
            "price": "0" if market_order else str(int(Decimal(body["price"]).scaleb(8))),
        },
    }


def venue_auth_typed_data(chain: str, timestamp: int, expiration: int) -> dict[str, Any]:
    return {
        "message": {
            "method": "POST",
            "path": "/v1/auth",
            "body": "",
            "timestamp": timestamp,
            "expiration": expiration,
        },
        "domain": {"name": "Paradex", "chainId": hex(chain_id_felt(chain)), "version": "1"},
        "primaryType": "Request",
        "types": {
            "StarkNetDomain": _felt_type("name", "chainId", "version"),
            "Request": _felt_type("method", "path", "body", "timestamp", "expiration"),
        },
    }


def _verified(typed: dict[str, Any], account: int, signature: object, public_key: int) -> bool:
    if not isinstance(signature, str):
        return False
    try:
        r_text, s_text = json.loads(signature)
        r, s = int(r_text), int(s_text)
    except (ValueError, TypeError):
        return False
    return verify_hash(TypedData.from_dict(typed).message_hash(account), r, s, public_key)


class ParadexAccountRoutes:
    """Mixed into :class:`~tests.adapters.paradex.fake_venue.FakeParadex`."""

    chain_id: str
    accounts: dict[int, int]
    markets: list[dict[str, Any]]
    now_ms: Callable[[], int]  # FakeVenue's
    error: Callable[[int, str, str], Reply]  # FakeParadex's

    def init_account(
        self, accounts: dict[int, int], chain_id: str, jwt_lifetime_s: int = 300
    ) -> None:
        self.accounts = dict(accounts)
        self.chain_id = chain_id
        self.jwt_lifetime_s = jwt_lifetime_s
        self.tokens: dict[str, tuple[int, int]] = {}  # token -> (account, exp seconds)
        self.auth_count = 0
        self.orders: dict[str, dict[str, Any]] = {}  # client_id -> OrderResp
        self.positions: dict[str, Decimal] = {}
        self.balance = Decimal("10000")
        self.books: dict[str, dict[str, Decimal]] = {}
        self.payments: list[dict[str, Any]] = []
        self.fill_orders = True
        self._ids = itertools.count(1721903808500201709220290000)

    # ------------------------------------------------------------------ auth

    def auth(self, request: Request, public_key_hex: str) -> Reply:
        headers = request.headers
        try:
            account = int(headers["PARADEX-STARKNET-ACCOUNT"], 16)
            timestamp = int(headers["PARADEX-TIMESTAMP"])
            expiration = int(headers["PARADEX-SIGNATURE-EXPIRATION"])
            public_key = int(public_key_hex, 16)
        except (KeyError, ValueError):
            return self.error(400, "VALIDATION_ERROR", "auth headers missing or malformed")
        if self.accounts.get(account) != public_key:
            return self.error(401, "NOT_ONBOARDED", "account not onboarded with this key")
        now_s = self.now_ms() // 1000
        if expiration <= now_s or timestamp > now_s + 30:
            return self.error(400, "INVALID_TIMESTAMP", "signature timestamp out of range")
        typed = venue_auth_typed_data(self.chain_id, timestamp, expiration)
        signature = headers.get("PARADEX-STARKNET-SIGNATURE")
        if not _verified(typed, account, signature, public_key):
            return self.error(401, "INVALID_STARKNET_SIGNATURE", "auth signature invalid")
        self.auth_count += 1
        exp = now_s + self.jwt_lifetime_s
        token = ".".join(
            (
                _b64({"alg": "ES384", "typ": "JWT"}),
                _b64({"sub": hex(account), "exp": exp, "n": self.auth_count}),
                "sig",
            )
        )
        self.tokens[token] = (account, exp)
        return Reply(200, {"jwt_token": token})

    def revoke_tokens(self) -> None:
        self.tokens.clear()

    def bearer(self, request: Request) -> int | None:
        value = request.headers.get("Authorization", "")
        if not value.startswith("Bearer "):
            return None
        held = self.tokens.get(value[len("Bearer ") :])
        if held is None or held[1] <= self.now_ms() // 1000:
            return None
        return held[0]

    # ------------------------------------------------------------------ orders

    def _book(self, market: str) -> dict[str, Decimal]:
        return self.books.get(market, DEFAULT_BOOK)

    def _match(self, order: dict[str, Any]) -> None:
        """Fill the whole order at the touch if it crosses (the fake's book is deep)."""
        book = self._book(order["market"])
        buy = order["side"] == "BUY"
        touch = book["ask"] if buy else book["bid"]
        limit = Decimal(order["price"]) if order["type"] == "LIMIT" else None
        crosses = limit is None or (limit >= touch if buy else limit <= touch)
        if crosses and self.fill_orders and order["instruction"] != "POST_ONLY":
            size = Decimal(order["size"])
            order.update(status="CLOSED", remaining_size="0", avg_fill_price=str(touch))
            signed = size if buy else -size
            self.positions[order["market"]] = self.positions.get(order["market"], 0) + signed
        elif order["instruction"] in ("IOC",) or order["type"] == "MARKET":
            order.update(status="CLOSED", cancel_reason="IOC_NO_FILL")
        elif crosses:
            order.update(status="CLOSED", cancel_reason="POST_ONLY_WOULD_CROSS")
        else:
            order["status"] = "OPEN"
        order["last_updated_at"] = self.now_ms()

    @route("POST", "/v1/orders")
    def create_order(self, request: Request) -> Reply:
        account = self.bearer(request)
        if account is None:
            return self.error(401, "INVALID_TOKEN", "invalid or expired token")
        try:
            body = request.json()
            client_id = body["client_id"]
            market = body["market"]
            typed = venue_order_typed_data(self.chain_id, body)
            window = int(body["recv_window"])
            stamp = int(body["signature_timestamp"])
        except (ValueError, KeyError, TypeError, ArithmeticError):
            return self.error(400, "VALIDATION_ERROR", "malformed order")
        if market not in {m["symbol"] for m in self.markets}:
            return self.error(400, "MARKET_NOT_FOUND", f"market {market} not found")
        if not _verified(typed, account, body.get("signature"), self.accounts[account]):
            return self.error(400, "INVALID_ORDER_SIGNATURE", "order signature invalid")
        if window < 10 or self.now_ms() > stamp + window:
            return self.error(400, "VALIDATION_ERROR", "order received after recv_window")
        if client_id in self.orders:
            return self.error(400, "DUPLICATED_CLIENT_ID", "client id already used")
        now = self.now_ms()
        order = {
            "id": str(next(self._ids)),
            "account": hex(account),
            "market": market,
            "side": body["side"],
            "type": body["type"],
            "size": body["size"],
            "remaining_size": body["size"],
            "price": body.get("price", "0"),
            "status": "NEW",
            "created_at": now,
            "last_updated_at": now,
            "timestamp": stamp,
            "cancel_reason": "",
            "client_id": client_id,
            "instruction": body.get("instruction", "GTC"),
            "avg_fill_price": "",
            "stp": "EXPIRE_TAKER",
            "flags": body.get("flags", []),
            "seq_no": now,
            "received_at": now,
            "published_at": now,
        }
        self.orders[client_id] = order
        answer = dict(order)  # the answer shows NEW: risk checks and matching come after
        self._match(order)
        return Reply(201, answer)

    def by_client_id(self, request: Request, client_id: str) -> Reply:
        if self.bearer(request) is None:
            return self.error(401, "INVALID_TOKEN", "invalid or expired token")
        order = self.orders.get(client_id)
        if order is None:
            return self.error(404, "CLIENT_ORDER_ID_NOT_FOUND", "client order id not found")
        if request.method == "GET":
            return Reply(200, order)
        if request.method != "DELETE":
            return self.error(405, "VALIDATION_ERROR", "method not allowed")
        if order["status"] == "CLOSED":
            return self.error(400, "ORDER_IS_CLOSED", "order is closed")
        order.update(status="CLOSED", cancel_reason="USER_CANCELED", last_updated_at=self.now_ms())
        return Reply(204, raw=b"")

    # ------------------------------------------------------------------ account

    @route("GET", "/v1/positions")
    def list_positions(self, request: Request) -> Reply:
        if self.bearer(request) is None:
            return self.error(401, "INVALID_TOKEN", "invalid or expired token")
        rows = [
            {
                "id": f"0x1-{market}",
                "market": market,
                "status": "OPEN" if size else "CLOSED",
                "side": "LONG" if size >= 0 else "SHORT",
                "size": str(abs(size)),
                "average_entry_price": "67643.2",
                "unrealized_pnl": "-2.84428356",
                "unrealized_funding_pnl": "-0.00059564",
                "liquidation_price": "",
                "last_updated_at": str(self.now_ms()),
            }
            for market, size in self.positions.items()
        ]
        return Reply(200, {"results": rows})

    @route("GET", "/v1/account")
    def account_summary(self, request: Request) -> Reply:
        account = self.bearer(request)
        if account is None:
            return self.error(401, "INVALID_TOKEN", "invalid or expired token")
        notional = sum((abs(s) * DEFAULT_BOOK["ask"] for s in self.positions.values()), Decimal(0))
        return Reply(
            200,
            {
                "account": hex(account),
                "account_value": str(self.balance),
                "free_collateral": str(self.balance - notional * Decimal("0.02")),
                "initial_margin_requirement": str(notional * Decimal("0.02")),
                "maintenance_margin_requirement": str(notional * Decimal("0.01")),
                "margin_cushion": str(self.balance - notional * Decimal("0.01")),
                "settlement_asset": "USDC",
                "status": "ACTIVE",
                "total_collateral": str(self.balance),
                "updated_at": self.now_ms(),
            },
        )

    @route("GET", "/v1/balance")
    def balances(self, request: Request) -> Reply:
        if self.bearer(request) is None:
            return self.error(401, "INVALID_TOKEN", "invalid or expired token")
        row = {"token": "USDC", "size": str(self.balance), "last_updated_at": str(self.now_ms())}
        return Reply(200, {"results": [row]})

    @route("GET", "/v1/funding/payments")
    def funding_payments(self, request: Request) -> Reply:
        account = self.bearer(request)
        if account is None:
            return self.error(401, "INVALID_TOKEN", "invalid or expired token")
        query = request.query
        start = int(query.get("start_at", "0"))
        end = int(query.get("end_at", str(2**62)))
        rows = sorted(
            (p for p in self.payments if start <= p["created_at"] <= end),
            key=lambda p: p["created_at"],
            reverse=True,
        )
        size = min(int(query.get("page_size", "100")), 2)  # small pages: paging is exercised
        offset = int(base64.b64decode(query["cursor"]).decode()) if "cursor" in query else 0
        page = rows[offset : offset + size]
        more = offset + size < len(rows)
        cursor = base64.b64encode(str(offset + size).encode()).decode() if more else None
        return Reply(200, {"next": cursor, "prev": None, "results": page})


__all__ = ["ParadexAccountRoutes", "venue_auth_typed_data", "venue_order_typed_data"]
