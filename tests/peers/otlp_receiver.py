"""An OTLP/HTTP logs receiver on loopback, for the delivery tests.

It answers POST /v1/logs the way an OpenTelemetry Collector's receiver does, after parsing the body
strictly with the official protobuf definitions (the `opentelemetry-proto` package from PyPI):
`json_format.Parse(..., ExportLogsServiceRequest(), ignore_unknown_fields=False)`, so a field
name, a type or an encoding the OTLP JSON mapping does not allow is a 400, as a collector gives.

Usage: otlp_receiver.py OUT_DIR SCRIPT [TLS_DIR]
  SCRIPT is the answers to give in turn, comma-separated, the last repeated: `200`, `503`,
  `429:SECONDS` (with Retry-After), `hang` (read the request, never answer).
  With TLS_DIR it serves HTTPS with TLS_DIR/server.pem and server.key, and requires a client
  certificate signed by TLS_DIR/ca.pem (a collector's `client_ca_file`).
It prints its port on the first line of standard output, then serves until killed. Every request
is appended to OUT_DIR/requests.jsonl (its status, headers that matter, parse error); every log
record of an accepted request to OUT_DIR/records.jsonl (body and attributes, as parsed).
"""

import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from google.protobuf import json_format
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest

out_dir = sys.argv[1]
script = sys.argv[2].split(",")
lock = threading.Lock()
served = [0]


def value(v):
    kind = v.WhichOneof("value")
    return getattr(v, kind) if kind else None


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with lock:
            answer = script[min(served[0], len(script) - 1)]
            served[0] += 1
        entry = {
            "path": self.path,
            "content_type": self.headers.get("Content-Type"),
            "authorization": self.headers.get("Authorization"),
            "answer": answer,
        }
        request = ExportLogsServiceRequest()
        try:
            json_format.Parse(body.decode("utf-8"), request, ignore_unknown_fields=False)
        except Exception as e:  # a body the official definitions refuse
            entry["parse_error"] = str(e)
            answer = "400"
        if self.path != "/v1/logs":
            answer = "404"
        with lock:
            with open(os.path.join(out_dir, "requests.jsonl"), "a") as f:
                f.write(json.dumps(entry) + "\n")
        if answer == "hang":
            time.sleep(3600)
            return
        status, _, after = answer.partition(":")
        status = int(status)
        if status == 200:
            with lock:
                with open(os.path.join(out_dir, "records.jsonl"), "a") as f:
                    for rl in request.resource_logs:
                        resource = {a.key: value(a.value) for a in rl.resource.attributes}
                        for sl in rl.scope_logs:
                            for lr in sl.log_records:
                                f.write(json.dumps({
                                    "resource": resource,
                                    "scope": sl.scope.name,
                                    "time_unix_nano": lr.time_unix_nano,
                                    "severity_number": lr.severity_number,
                                    "severity_text": lr.severity_text,
                                    "body": value(lr.body),
                                    "attributes": {a.key: value(a.value) for a in lr.attributes},
                                }) + "\n")
        reply = b"{}" if status == 200 else json.dumps({"code": status, "message": "scripted"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        if after:
            self.send_header("Retry-After", after)
        self.end_headers()
        self.wfile.write(reply)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
if len(sys.argv) > 3:
    import ssl
    tls = sys.argv[3]
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(os.path.join(tls, "server.pem"), os.path.join(tls, "server.key"))
    context.load_verify_locations(os.path.join(tls, "ca.pem"))
    context.verify_mode = ssl.CERT_REQUIRED
    server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
