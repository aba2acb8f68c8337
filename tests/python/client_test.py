"""python-socketio (Debian's python3-socketio 5.x) against sio-test-server: connect over each
transport, events both ways, acks, binary, rooms and broadcasts, another namespace, a middleware
refusal, reconnection after the transport drops.

Run by ctest (python/client) with Debian's /usr/bin/python3; SIO_BIN_DIR names the built binaries.
"""
import os
import queue
import subprocess
import threading
import time
import unittest

import socketio

BIN_DIR = os.environ.get("SIO_BIN_DIR", os.path.join(os.path.dirname(__file__), "../../build/bin"))


class Server:
    """sio-test-server on a free port, until stop()."""

    def __init__(self):
        env = dict(os.environ, PORT="0")
        self.proc = subprocess.Popen([os.path.join(BIN_DIR, "sio-test-server")], env=env,
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("listening on port "):
            raise RuntimeError(f"sio-test-server did not start: {line!r}")
        self.url = f"http://127.0.0.1:{int(line.split()[-1])}"
        # Keep reading its output so that it never blocks on a full pipe.
        threading.Thread(target=lambda: [None for _ in self.proc.stdout], daemon=True).start()

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


class PythonClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        self.clients = []

    def tearDown(self):
        for client in self.clients:
            client.disconnect()

    def client(self, **options):
        client = socketio.Client(reconnection=options.pop("reconnection", False), **options)
        self.clients.append(client)
        return client

    def connected(self, transports=None, namespaces=None, auth=None, **options):
        client = self.client(**options)
        client.connect(self.server.url, transports=transports, namespaces=namespaces, auth=auth,
                       wait_timeout=5)
        return client

    def test_events_acks_and_binary_over_each_transport(self):
        for transports in (["polling"], ["websocket"], ["polling", "websocket"]):
            with self.subTest(transports=transports):
                client = self.connected(transports=transports)
                payload = {"b": 1, "a": [1, "two", None], "bytes": b"\x00\x01\xfe\xff"}
                self.assertEqual(client.call("echo", payload, timeout=5), payload)
                events = queue.Queue()
                client.on("echo", lambda *args: events.put(args))
                client.emit("echo", ("plain", 2, b"\x07"))
                self.assertEqual(events.get(timeout=5), ("plain", 2, b"\x07"))
                if transports == ["polling", "websocket"]:
                    deadline = time.time() + 5
                    while client.transport() != "websocket" and time.time() < deadline:
                        time.sleep(0.05)
                    self.assertEqual(client.transport(), "websocket")
                client.disconnect()

    def test_rooms_broadcasts_and_the_servers_acks(self):
        a = self.connected()
        b = self.connected()
        self.assertEqual(sorted(b.call("join", "py-room", timeout=5)), sorted(["py-room", b.get_sid()]))
        news = queue.Queue()
        b.on("news", lambda *args: news.put(args))
        b.on("question", lambda value: f"re: {value}")
        a.call("broadcast", {"to": "py-room", "event": "news", "args": ["hi", b"\x01\x02"]}, timeout=5)
        self.assertEqual(news.get(timeout=5), ("hi", b"\x01\x02"))
        reply = b.call("server-ask", {"event": "question", "args": ["q"]}, timeout=5)
        self.assertEqual(reply, {"err": None, "response": ["re: q"]})

    def test_another_namespace_with_auth(self):
        client = self.connected(namespaces=["/custom"], auth={"name": "py"})
        sockets = client.call("fetch-sockets", {}, namespace="/custom", timeout=5)
        mine = [s for s in sockets if s["id"] == client.get_sid("/custom")]
        self.assertEqual(mine[0]["auth"], {"name": "py"})

    def test_middleware_refusal(self):
        client = self.client()
        errors = queue.Queue()
        client.on("connect_error", lambda data: errors.put(data), namespace="/admin")
        with self.assertRaises(socketio.exceptions.ConnectionError):
            client.connect(self.server.url, namespaces=["/admin"], wait_timeout=5)
        self.assertEqual(errors.get(timeout=5), {"message": "Forbidden", "data": {"need": "admin"}})

    def test_reconnects_after_the_transport_drops(self):
        client = self.connected(transports=["websocket"], reconnection=True, reconnection_delay=0.1)
        first = client.get_sid()
        reconnected = threading.Event()
        client.on("connect", lambda: reconnected.set())
        client.emit("close-transport")
        self.assertTrue(reconnected.wait(10))
        self.assertNotEqual(client.get_sid(), first)
        self.assertEqual(client.call("echo", "again", timeout=5), "again")


if __name__ == "__main__":
    unittest.main(verbosity=2)
