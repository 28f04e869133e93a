#!/usr/bin/env python3
"""fake-telegram: the least of the Bot API that `returnsbot serve` needs, for .ci/bench-memory.

    fake-telegram.py PORT CHATS

It answers getMe and every other method with ok, hands out one text message ("restart")
from each of CHATS private chats through getUpdates, 100 at a time, and counts the bot's
sendMessage calls. GET /stats returns {"first_poll": unix seconds of the first getUpdates,
"delivered": updates handed out, "sent": messages the bot sent}. Not a test double for the
adapter's behaviour (bot/telegram/telegramtest is that): a load source, nothing checked.
"""
import json, socket, sys, threading, time
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

port, chats = int(sys.argv[1]), int(sys.argv[2])
lock = threading.Lock()
state = {"first_poll": 0, "delivered": 0, "sent": 0}
now = int(time.time())
ME = {"id": 1, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}


def update(i):
    chat = {"id": 1_000_000 + i, "type": "private", "first_name": "C"}
    return {"update_id": i + 1, "message": {"message_id": 1, "date": now, "chat": chat,
                                            "from": {"id": chat["id"], "is_bot": False, "first_name": "C"},
                                            "text": "restart"}}


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # Headers and body go in two writes: without this, Nagle's algorithm and the bot's
        # delayed ACK hold every answer 40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *a):
        pass

    def reply(self, obj):
        body = json.dumps(obj).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/stats":
            with lock:
                return self.reply(dict(state))
        self.do_POST()

    def do_POST(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:  # the body is not needed, only read past
                size = int(self.rfile.readline().split(b";")[0], 16)
                self.rfile.read(size + 2)
                if size == 0:
                    break
        elif int(self.headers.get("Content-Length") or 0):
            self.rfile.read(int(self.headers["Content-Length"]))
        method = self.path.rsplit("/", 1)[-1].split("?")[0]
        if method == "getMe":
            return self.reply({"ok": True, "result": ME})
        if method == "getUpdates":
            with lock:
                if not state["first_poll"]:
                    state["first_poll"] = time.time()
                start = state["delivered"]
                end = min(chats, start + 100)
                state["delivered"] = end
            if start == end:
                time.sleep(0.2)  # a long poll with nothing to give
            return self.reply({"ok": True, "result": [update(i) for i in range(start, end)]})
        if method in ("sendMessage", "editMessageText", "sendPhoto"):
            with lock:
                state["sent"] += 1
                mid = state["sent"]
            return self.reply({"ok": True, "result": {"message_id": mid, "date": now,
                                                      "chat": {"id": 1, "type": "private"}, "text": ""}})
        return self.reply({"ok": True, "result": True})


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer.request_queue_size = 1024  # the bot opens many connections at once
ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
