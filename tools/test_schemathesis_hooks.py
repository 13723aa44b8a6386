"""The contract step's retry of the emulator's own 500s (schemathesis_hooks.after_call)."""

import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests
from schemathesis.core.transport import Response

import schemathesis_hooks

EMULATOR_BODY = b'{"type":"https://httpstatuses.com/500","status":500,"title":"Internal Server Error"}'


class Server(BaseHTTPRequestHandler):
    # Answers are popped in order; the last one repeats.
    answers: list = []
    calls = 0

    def do_GET(self):
        type(self).calls += 1
        status, body = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class AfterCallTest(unittest.TestCase):
    def setUp(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Server)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        Server.calls = 0

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()

    def call(self, answers):
        Server.answers = list(answers)
        url = f"http://127.0.0.1:{self.server.server_port}/api/messages?x=1"
        response = Response.from_requests(requests.get(url, timeout=5), verify=True)
        schemathesis_hooks.after_call(None, None, response)
        return response

    def test_an_emulator_500_is_sent_again_and_the_retry_is_what_is_checked(self):
        response = self.call([(500, EMULATOR_BODY), (200, b'{"items":[],"next_cursor":null}')])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"items": [], "next_cursor": None})
        self.assertEqual(Server.calls, 2)

    def test_an_emulator_500_that_repeats_still_fails(self):
        response = self.call([(500, EMULATOR_BODY)])
        self.assertEqual(response.status_code, 500)
        self.assertEqual(Server.calls, 3)

    def test_a_500_of_the_functions_is_never_sent_again(self):
        response = self.call([(500, b'{"error":{"code":"internal","message":"x"}}'), (200, b"{}")])
        self.assertEqual(response.status_code, 500)
        self.assertEqual(Server.calls, 1)


if __name__ == "__main__":
    unittest.main()
