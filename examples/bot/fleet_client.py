#!/usr/bin/env python3
"""A drop-in async client for the Fleet bot API, for a Telegram bot written in Python.

Standard library only (Python 3.9+). Copy this file next to your bot and replace the old
VPNManager with this one: the three methods keep their names and arguments.

    manager = VPNManager("https://fleet.example.com", token=BOT_API_TOKEN, signing_secret=BOT_SIGNING_SECRET)
    key = await manager.get_or_create_user_key(telegram_id, username)   # the user's share link
    key = await manager.refresh_user_key(telegram_id, username)         # a new one; the old one stops
    info = await manager.get_user_node_info(telegram_id)                # node, key, subscription URL; None if unknown

Webhooks (optional): run `WebhookReceiver(WEBHOOK_SECRET, on_event).serve(port)`; every request is
verified (HMAC-SHA256 over "<timestamp>.<raw body>", five minutes of tolerance, duplicates dropped
by X-Fleet-Delivery) before `on_event` sees it. `forward_key_moved(send_message)` makes an
`on_event` that sends a moved user their new key.

Run as a script for a quick check against a running app:
    python3 fleet_client.py demo --base URL --token T [--signing-secret S] --telegram-id N [--username U]
    python3 fleet_client.py webhook --port 8081 --secret S   # prints what it would send, one JSON per line
"""
import argparse
import asyncio
import hashlib
import hmac
import json
import secrets
import sys
import time
import urllib.error
import urllib.request
from typing import Any, Awaitable, Callable, Dict, Optional

# Answers that mean "the same request will work later": the app says when, in Retry-After.
RETRYABLE = {"IN_FLIGHT", "KEY_PENDING", "PANELS_UNAVAILABLE", "UNAVAILABLE"}


class FleetError(Exception):
    """An error answer of the bot API: `code` is stable (see the README's error list)."""

    def __init__(self, status: int, code: str, message: str, retry_after: Optional[float] = None):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after


class VPNManager:
    def __init__(self, base_url: str, token: str, signing_secret: Optional[str] = None, timeout: float = 30.0, attempts: int = 4):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.signing_secret = signing_secret
        self.timeout = timeout
        self.attempts = attempts

    async def get_or_create_user_key(self, telegram_id: int, username: Optional[str] = None) -> str:
        """The user's key (a share link): the existing one, or a new one on the best node."""
        body: Dict[str, Any] = {"telegramId": telegram_id}
        if username:
            body["username"] = username
        return (await self._call("POST", "/api/bot/keys", body))["key"]

    async def refresh_user_key(self, telegram_id: int, username: Optional[str] = None) -> str:
        """A new key for the user; the old one keeps working until the new one is active."""
        return (await self._call("POST", "/api/bot/keys/refresh", {"telegramId": telegram_id}))["key"]

    async def get_user_node_info(self, telegram_id: int) -> Optional[Dict[str, Any]]:
        """{"node": {"id", "name", "location"}, "key", "subscription_url", "username", ...}, or None for an unknown user."""
        try:
            answer = await self._call("GET", f"/api/bot/users/{int(telegram_id)}", None)
        except FleetError as error:
            if error.status == 404:
                return None
            raise
        answer["subscription_url"] = answer.get("subscriptionUrl")
        return answer

    async def revoke_user_key(self, telegram_id: int) -> Dict[str, Any]:
        return await self._call("DELETE", f"/api/bot/keys/{int(telegram_id)}", None)

    async def _call(self, method: str, path: str, body: Optional[Dict[str, Any]]) -> Dict[str, Any]:
        raw = b"" if body is None else json.dumps(body, separators=(",", ":")).encode()
        for attempt in range(1, self.attempts + 1):
            try:
                return await asyncio.to_thread(self._send, method, path, raw)
            except FleetError as error:
                if error.code not in RETRYABLE or attempt == self.attempts:
                    raise
                await asyncio.sleep(min(error.retry_after or 1.0, 10.0))
        raise AssertionError("unreachable")

    def _send(self, method: str, path: str, raw: bytes) -> Dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if raw:
            headers["Content-Type"] = "application/json"
        if self.signing_secret:
            # A fresh nonce per attempt: the app refuses a nonce it has seen (replays).
            timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
            message = f"{timestamp}.{nonce}.{method}.{path}.".encode() + raw
            headers["X-Signature-Timestamp"] = timestamp
            headers["X-Signature-Nonce"] = nonce
            headers["X-Signature"] = hmac.new(self.signing_secret.encode(), message, hashlib.sha256).hexdigest()
        request = urllib.request.Request(self.base_url + path, data=raw if raw else None, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            payload = error.read()
            try:
                answer = json.loads(payload)
            except ValueError:
                answer = {"code": "HTTP_" + str(error.code), "message": payload.decode(errors="replace")[:200]}
            retry_after = error.headers.get("Retry-After")
            raise FleetError(error.code, answer.get("code", ""), answer.get("message", ""), float(retry_after) if retry_after else None) from None


def verify_webhook(secret: str, timestamp: Optional[str], body: bytes, signature: Optional[str], tolerance: int = 300, now: Optional[float] = None) -> bool:
    """Whether a webhook request is from the app: read the raw body before parsing it."""
    if not timestamp or not signature or not timestamp.isdigit() or len(timestamp) > 12:
        return False
    if abs((now if now is not None else time.time()) - int(timestamp)) > tolerance:
        return False
    expected = "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


EventHandler = Callable[[Dict[str, Any]], Awaitable[None]]


def forward_key_moved(send_message: Callable[[int, str], Awaitable[None]]) -> EventHandler:
    """An event handler that sends a user moved to another node their new key."""

    async def on_event(event: Dict[str, Any]) -> None:
        if event.get("event") != "key.moved":
            return
        data = event.get("data") or {}
        text = (
            "Your VPN server changed. If your app uses the subscription link, it updates by itself: "
            f"{data.get('subscriptionUrl')}\nOtherwise import your new key:\n{data.get('key')}"
        )
        await send_message(int(data["telegramId"]), text)

    return on_event


class WebhookReceiver:
    """A small HTTP endpoint for the app's webhooks (put it behind your TLS proxy)."""

    MAX_BODY = 1024 * 1024

    def __init__(self, secret: str, on_event: EventHandler):
        self.secret = secret
        self.on_event = on_event
        self._seen: Dict[str, float] = {}

    async def serve(self, port: int, host: str = "127.0.0.1") -> asyncio.AbstractServer:
        return await asyncio.start_server(self._handle, host, port)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            status = await self._answer(reader)
        except (ValueError, asyncio.IncompleteReadError):
            status = 400
        reason = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 405: "Method Not Allowed", 413: "Payload Too Large"}.get(status, "Error")
        writer.write(f"HTTP/1.1 {status} {reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        writer.close()

    async def _answer(self, reader: asyncio.StreamReader) -> int:
        request_line = (await reader.readline()).decode("latin-1").split()
        headers: Dict[str, str] = {}
        while True:
            line = (await reader.readline()).decode("latin-1")
            if line in ("\r\n", "\n", ""):
                break
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if not request_line or request_line[0] != "POST":
            return 405
        length = int(headers.get("content-length", "0"))
        if length > self.MAX_BODY:
            return 413
        body = await reader.readexactly(length)
        if not verify_webhook(self.secret, headers.get("x-fleet-timestamp"), body, headers.get("x-fleet-signature")):
            return 401
        delivery = headers.get("x-fleet-delivery", "")
        now = time.time()
        self._seen = {k: t for k, t in self._seen.items() if now - t < 3600}
        if delivery and delivery in self._seen:
            return 200  # a retry of what was handled already
        await self.on_event(json.loads(body))
        if delivery:
            self._seen[delivery] = now
        return 200


async def _demo(args: argparse.Namespace) -> None:
    manager = VPNManager(args.base, args.token, args.signing_secret)
    key = await manager.get_or_create_user_key(args.telegram_id, args.username)
    again = await manager.get_or_create_user_key(args.telegram_id, args.username)
    info = await manager.get_user_node_info(args.telegram_id)
    refreshed = await manager.refresh_user_key(args.telegram_id, args.username)
    unknown = await manager.get_user_node_info(1)
    print(json.dumps({"key": key, "again": again, "info": info, "refreshed": refreshed, "unknown": unknown}), flush=True)


async def _webhook(args: argparse.Namespace) -> None:
    async def send_message(chat_id: int, text: str) -> None:
        print(json.dumps({"chat_id": chat_id, "text": text}), flush=True)

    server = await WebhookReceiver(args.secret, forward_key_moved(send_message)).serve(args.port)
    print(f"listening {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="get a key, read it back, refresh it")
    demo.add_argument("--base", required=True)
    demo.add_argument("--token", required=True)
    demo.add_argument("--signing-secret")
    demo.add_argument("--telegram-id", type=int, required=True)
    demo.add_argument("--username")
    hook = commands.add_parser("webhook", help="receive webhooks and print the messages key.moved would send")
    hook.add_argument("--port", type=int, default=8081)
    hook.add_argument("--secret", required=True)
    args = parser.parse_args()
    try:
        asyncio.run(_demo(args) if args.command == "demo" else _webhook(args))
    except FleetError as error:
        print(str(error), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
