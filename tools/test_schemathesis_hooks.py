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

    def test_a_503_from_a_stalled_emulator_is_sent_again_and_one_that_persists_fails(self):
        stalled = b'{"error":{"code":"service_unavailable","message":"Try again shortly."}}'
        response = self.call([(503, stalled), (200, b"{}")])
        self.assertEqual((response.status_code, Server.calls), (200, 2))
        Server.calls = 0
        response = self.call([(503, stalled)])
        self.assertEqual((response.status_code, Server.calls), (503, 3))
        Server.calls = 0
        harvest = b'{"error":{"code":"harvest_unavailable","message":"x"}}'
        response = self.call([(503, harvest), (200, b"{}")])
        self.assertEqual((response.status_code, Server.calls), (503, 1), "another 503 is not retried")

    def test_a_500_of_the_functions_is_never_sent_again(self):
        response = self.call([(500, b'{"error":{"code":"internal","message":"x"}}'), (200, b"{}")])
        self.assertEqual(response.status_code, 500)
        self.assertEqual(Server.calls, 1)


class CloseResponseSchemasTest(unittest.TestCase):
    def test_response_objects_are_closed_and_allof_parts_stay_open(self):
        raw = {
            "paths": {
                "/a": {
                    "get": {
                        "responses": {
                            "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Page"}}}},
                            "404": {"$ref": "#/components/responses/NotFound"},
                        }
                    }
                }
            },
            "components": {
                "responses": {"NotFound": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}},
                "schemas": {
                    "Page": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}}},
                    "Item": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"type": "object", "properties": {"x": {"type": "object", "properties": {"y": {}}}}}]},
                    "Base": {"type": "object", "properties": {"id": {"type": "string"}}},
                    "Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {"code": {}}}}},
                    "Open": {"type": "object", "properties": {"k": {}}, "additionalProperties": True},
                },
            },
        }
        closed = schemathesis_hooks.close_response_schemas(raw)
        schemas = raw["components"]["schemas"]
        self.assertIs(schemas["Page"]["additionalProperties"], False)
        self.assertIs(schemas["Error"]["additionalProperties"], False)
        self.assertIs(schemas["Error"]["properties"]["error"]["additionalProperties"], False)
        item = schemas["Item"]
        self.assertNotIn("allOf", item, "merged")
        self.assertEqual(sorted(item["properties"]), ["id", "x"])
        self.assertIs(item["additionalProperties"], False, "the merge is closed")
        self.assertIs(item["properties"]["x"]["additionalProperties"], False, "and what is inside it")
        self.assertNotIn("additionalProperties", schemas["Base"], "a part used only in the merge is left as it is")
        self.assertIs(schemas["Open"]["additionalProperties"], True, "what a schema says stands")
        self.assertEqual(closed, 5)


class KnownIdsTest(unittest.TestCase):
    KNOWN = {
        "projects": [
            {"projectId": "p1", "deliverableId": [], "noteId": ["n1"], "fileId": []},
            {"projectId": "p2", "deliverableId": ["d2"], "noteId": [], "fileId": ["f2"]},
        ],
        "requests": [{"requestId": "r1", "fileId": ["rf1"]}],
        "clients": [],
        "flat": {"invoiceId": ["7"]},
    }

    def test_ids_are_put_in_consistently(self):
        put = schemathesis_hooks.with_known_ids
        got = put("/api/projects/{projectId}/deliverables/{deliverableId}/download", {"projectId": "x", "deliverableId": "y"}, self.KNOWN, 1)
        self.assertEqual(got, {"projectId": "p2", "deliverableId": "d2"}, "the project that has a deliverable")
        got = put("/api/requests/{requestId}/files/{fileId}", {"requestId": "x", "fileId": "y"}, self.KNOWN, 4)
        self.assertEqual(got, {"requestId": "r1", "fileId": "rf1"})
        self.assertEqual(put("/api/invoices/{invoiceId}", {"invoiceId": "x"}, self.KNOWN, 2), {"invoiceId": "7"})
        self.assertEqual(put("/api/other/{thing}", {"thing": "x"}, self.KNOWN, 2), {"thing": "x"}, "unknown names stay")


class KnownClientIdsTest(unittest.TestCase):
    def test_a_client_that_has_what_the_path_names_is_chosen(self):
        known = {
            "projects": [], "requests": [], "flat": {},
            "clients": [
                {"clientId": "empty", "contactId": [], "email": [], "projects": [], "requests": []},
                {"clientId": "full", "contactId": ["k"], "email": ["a@b.example"],
                 "projects": [{"projectId": "p", "deliverableId": [], "milestoneId": [], "noteId": [], "fileId": ["f"]}],
                 "requests": [{"requestId": "r0", "fileId": []}, {"requestId": "r1", "fileId": ["rf"]}]},
            ],
        }
        put = schemathesis_hooks.with_known_ids
        got = put("/x/{clientId}/projects/{projectId}/files/{fileId}", {"clientId": "", "projectId": "", "fileId": ""}, known, 0)
        self.assertEqual(got, {"clientId": "full", "projectId": "p", "fileId": "f"})
        got = put("/x/{clientId}/requests/{requestId}/files/{fileId}", {"clientId": "", "requestId": "", "fileId": ""}, known, 0)
        self.assertEqual(got, {"clientId": "full", "requestId": "r1", "fileId": "rf"})


class UnreachedTest(unittest.TestCase):
    def test_operations_without_a_2xx_are_listed(self):
        lines = ["GET /api/a/{id} 404", "GET /api/a/{id} 200", "POST /api/b 422", "POST /api/b 401", "DELETE /api/c/{x} 204"]
        self.assertEqual(schemathesis_hooks.unreached(lines), [("POST", "/api/b")])


if __name__ == "__main__":
    unittest.main()
