"""A toy signed-REST venue ("acme") for the kit's transport and order-flow tests.

It has the shape Bybit v5 and OKX v5 share (their docs; tests/adapters/{bybit,okx} test the
real dialects): HMAC-SHA256 over ``timestamp + method + path?query + body``, an envelope
``{"code": 0, "msg": "", "data": ...}`` whose non-zero code comes with HTTP 200, a server
clock the request timestamp must be within 5 s of (code ``10002`` otherwise: refused
unread), ``GET /time``, and orders acknowledged with their id only. The fake checks every
signature itself and keeps what reached it, in order, in ``log``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import attrs
import httpx
from returns.result import Failure, Result, Success

from adapters._parse import ParseError, field, int_field, obj, parse_guard, str_field
from adapters.kit import CodeMap, RequestBudget
from adapters.kit.order_flow import OrderFlow
from adapters.kit.rest import RestDialect, SignedRest, ToSign
from atomic_fp.errors import InvalidRequest, MalformedResponse, UnknownSymbol, VenueError
from atomic_fp.models import Order, OrderRequest, OrderStatus, Side, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier

KEY, SECRET = "acme-key", "acme-secret-0123456789"
WINDOW_MS = 5_000

CODES = CodeMap(
    auth=frozenset({"10003"}),
    order_not_found=frozenset({"110001"}),
    ambiguous_on_write=frozenset({"10016"}),
)


def signature(text: str) -> str:
    return hmac.new(SECRET.encode(), text.encode(), hashlib.sha256).hexdigest()


def envelope_error(body: Any) -> tuple[str, str] | None:
    if isinstance(body, Mapping) and body.get("code", 0) != 0:
        return str(body["code"]), str(body.get("msg", ""))
    return None


def extract(body: Any) -> tuple[str | None, str | None]:
    if not isinstance(body, Mapping):
        return None, None
    return str(body.get("code")), str(body.get("msg"))


def server_time(venue: str, payload: object) -> Result[int, MalformedResponse]:
    return parse_guard(venue, lambda: int_field(obj(field(obj(payload), "data")), "ms"))


def ack_id(venue: str, payload: object) -> Result[str, MalformedResponse]:
    def parse() -> str:
        data = obj(field(obj(payload), "data"))
        if "orderId" not in data:
            raise ParseError("$.data.orderId: missing")
        return str_field(data, "orderId")

    return parse_guard(venue, parse)


def _query(params: Sequence[tuple[str, str]]) -> str:
    for key, value in params:
        if "&" in value or "=" in value:
            raise ValueError(f"parameter {key} has characters we do not send")
    return urlencode(list(params))


def _sign(credentials: tuple[str, str], call: ToSign) -> dict[str, str] | None:
    window = WINDOW_MS
    if call.deadline is not None:
        window = int(call.deadline.timestamp() * 1000) - call.local_ms
        if window < 1:
            return None
    text = f"{call.server_ms}{call.method}{call.url}{call.content or ''}"
    return {
        "ACME-KEY": credentials[0],
        "ACME-TS": str(call.server_ms),
        "ACME-WINDOW": str(window),
        "ACME-SIGN": signature(text),
    }


DIALECT: RestDialect[tuple[str, str]] = RestDialect(
    encode_query=_query,
    encode_body=lambda body: json.dumps(dict(body), separators=(",", ":")),
    sign=_sign,
    envelope_error=envelope_error,
    error_extractor=extract,
    refine=CODES.refine,
    time_path="/time",
    parse_server_time=server_time,
    timestamp_code="10002",
    signature_header="ACME-SIGN",
    redact=lambda text, secrets: _redact(text, secrets),
    secrets=lambda credentials: credentials,
    credentials_hint="api_key and api_secret",
)


def _redact(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


Handler = Callable[["FakeAcme", httpx.Request], httpx.Response | None]


@attrs.define
class FakeAcme:
    """The venue: a clock ``offset_ms`` ahead of ours, orders by client id, faults."""

    clock: Callable[[], float]
    offset_ms: int = 30_000
    orders: dict[str, dict[str, Any]] = attrs.Factory(dict)
    log: list[str] = attrs.Factory(list)
    bad_signatures: int = 0
    answers: dict[str, list[httpx.Response | Exception]] = attrs.Factory(dict)
    """Canned answers per ``"METHOD /path"``, used once each, before the route runs
    (the request is recorded; an exception is raised as the transport's)."""
    late: set[str] = attrs.Factory(set)
    """``"METHOD /path"`` whose request is processed but whose answer is lost (timeout)."""

    def now_ms(self) -> int:
        return int(self.clock() * 1000) + self.offset_ms

    def reply(self, data: Any, code: int = 0, msg: str = "") -> httpx.Response:
        return httpx.Response(200, json={"code": code, "msg": msg, "data": data})

    def __call__(self, request: httpx.Request) -> httpx.Response:
        where = f"{request.method} {request.url.path}"
        self.log.append(where)
        canned = self.answers.get(where)
        if canned:
            answer = canned.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer
        if request.url.path == "/time":
            return self.reply({"ms": self.now_ms()})
        if request.url.path == "/public":
            return self.reply({"echo": dict(request.url.params)})
        refused = self._check(request)
        if refused is not None:
            return refused
        response = self._route(request)
        if where in self.late:
            raise httpx.ReadTimeout("answer lost", request=request)
        return response

    def _check(self, request: httpx.Request) -> httpx.Response | None:
        headers = request.headers
        if headers.get("ACME-KEY") != KEY:
            return self.reply(None, 10003, "invalid api key")
        query = request.url.query.decode()
        url = request.url.path + (f"?{query}" if query else "")
        text = f"{headers['ACME-TS']}{request.method}{url}{request.content.decode()}"
        if not hmac.compare_digest(signature(text), headers.get("ACME-SIGN", "")):
            self.bad_signatures += 1
            return self.reply(None, 10003, "signature mismatch")
        stamp = int(headers["ACME-TS"])
        if not self.now_ms() - int(headers["ACME-WINDOW"]) <= stamp < self.now_ms() + 1000:
            return self.reply(None, 10002, f"timestamp {stamp} outside the window")
        return None

    def _route(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/order/create":
            body = json.loads(request.content)
            order_id = f"v{len(self.orders) + 1}"
            self.orders[body["clientId"]] = {**body, "orderId": order_id, "status": "Filled"}
            return self.reply({"orderId": order_id})
        if request.url.path == "/order/cancel":
            body = json.loads(request.content)
            order = self.orders.get(body["clientId"])
            if order is None or order["status"] != "New":
                return self.reply(None, 110001, "order not exists or too late to cancel")
            order["status"] = "Cancelled"
            return self.reply({"orderId": order["orderId"]})
        if request.url.path == "/order":
            found = self.orders.get(request.url.params["clientId"])
            return self.reply(found) if found else self.reply(None, 110001, "no such order")
        return httpx.Response(404, json={"code": 404, "msg": "no route"})


def rest(
    fake: FakeAcme,
    *,
    clock: Callable[[], float],
    monotonic: Callable[[], float],
    credentials: tuple[str, str] | None = (KEY, SECRET),
    budget: RequestBudget | None = None,
) -> SignedRest[tuple[str, str]]:
    client = httpx.AsyncClient(base_url="https://acme.test", transport=httpx.MockTransport(fake))
    shared = budget or RequestBudget("acme", 100, 1.0, 0.0, monotonic)
    return SignedRest(
        "acme",
        client,
        DIALECT,
        credentials,
        budgets=(shared, shared),
        time_sync_seconds=60.0,
        max_body_bytes=1 << 20,
        clock=clock,
        monotonic=monotonic,
    )


def failure_of(result: Result[Any, VenueError]) -> VenueError:
    return result.failure()


# ---------------------------------------------------------------------------- orders

SYMBOL = Symbol("BTC")


@attrs.frozen
class AcmeMarket:
    venue_symbol: str


class AcmeMarkets:
    """Markets of the toy venue: BTC only; ``calls`` counts the look-ups."""

    def __init__(self) -> None:
        self.calls = 0

    async def market(self, symbol: Symbol) -> Result[AcmeMarket, VenueError]:
        self.calls += 1
        if symbol != SYMBOL:
            return Failure(UnknownSymbol("acme", f"{symbol} is not listed", None, None))
        return Success(AcmeMarket("BTCUSDT"))


class AcmeExecution(OrderFlow[AcmeMarket]):
    CREATE_PATH = "/order/create"
    CANCEL_PATH = "/order/cancel"
    CANCEL_FINAL_CODES = frozenset({"110001"})
    CLIENT_ID = re.compile(r"^[a-z0-9]{1,16}$")
    CLIENT_ID_RULE = "client id must be 1-16 lower-case letters or digits"

    def _order_body(
        self, request: OrderRequest, market: AcmeMarket
    ) -> Result[Mapping[str, Any], VenueError]:
        if request.size < Decimal("0.001"):
            return Failure(InvalidRequest("acme", "size below the 0.001 lot (not sent)"))
        body = {"symbol": market.venue_symbol, "clientId": request.client_order_id}
        return Success({**body, "side": request.side.value, "qty": str(request.size)})

    def _cancel_body(self, market: AcmeMarket, client_order_id: str) -> Mapping[str, Any]:
        return {"symbol": market.venue_symbol, "clientId": client_order_id}

    def _ack(self, body: Any) -> Result[str, MalformedResponse]:
        return ack_id("acme", body)

    async def _lookup(self, market: AcmeMarket, client_order_id: str) -> Result[Order, VenueError]:
        body = await self._http.signed(
            "GET", "/order", [("clientId", client_order_id)], idempotent=True
        )
        if isinstance(body, Failure):
            return body
        row = body.unwrap()["data"]
        statuses = {"New": OrderStatus.OPEN, "Filled": OrderStatus.FILLED}
        return Success(
            Order(
                exchange=ExchangeIdentifier("acme"),
                symbol=SYMBOL,
                client_order_id=client_order_id,
                side=Side(row["side"]),
                size=Decimal(row["qty"]),
                status=statuses.get(row["status"], OrderStatus.CANCELED),
                venue_order_id=row["orderId"],
            )
        )
