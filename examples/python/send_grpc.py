#!/usr/bin/python3
"""A Python bot handing the appliance one Upbit request over gRPC (Send); the appliance sends it.

Uses Debian's python3-grpcio and protoc with grpc_python_plugin (packages python3-grpcio,
protobuf-compiler-grpc); stubs are generated from protos/ into a temp dir at start. Prints Upbit's
answer as one JSON object. The stock gRPC TLS stack verifies the server's name against the
address dialled, with the bundle's ca.pem as the only root. The bot never holds a token.

    /usr/bin/python3 examples/python/send_grpc.py --bundle DIR GET /v1/accounts
    /usr/bin/python3 examples/python/send_grpc.py --bundle DIR GET /v1/orders/open market=KRW-BTC 'states[]=wait'
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import uuid
from urllib.parse import urlparse

import grpc

HERE = os.path.dirname(os.path.abspath(__file__))
PROTOS = os.path.normpath(os.path.join(HERE, "..", "..", "protos"))


def load_stubs():
    out = tempfile.mkdtemp(prefix="appliance-py-")
    subprocess.run(
        ["protoc", f"-I{PROTOS}", "-I/usr/include", f"--python_out={out}", f"--grpc_python_out={out}",
         "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin", "appliance/v1/signer.proto"],
        check=True)
    sys.path.insert(0, out)
    from appliance.v1 import signer_pb2, signer_pb2_grpc  # noqa: E402 (generated above)
    return signer_pb2, signer_pb2_grpc


def read(bundle, name):
    with open(os.path.join(bundle, name), "rb") as f:
        return f.read()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", required=True, help="bot bundle written by 'appliance bots add'")
    parser.add_argument("--target", help="host:port to dial (default: the bundle's endpoint)")
    parser.add_argument("--request-id", help="reuse to retry safely: the appliance never sends one id twice (default: a fresh UUID)")
    parser.add_argument("method")
    parser.add_argument("path")
    parser.add_argument("params", nargs="*", help="key=value, in order")
    args = parser.parse_args()

    pb, rpc = load_stubs()
    info = json.loads(read(args.bundle, "bot.json"))
    target = args.target or urlparse(info["endpoint"]).netloc
    credentials = grpc.ssl_channel_credentials(
        root_certificates=read(args.bundle, "ca.pem"),
        private_key=read(args.bundle, "bot.key"),
        certificate_chain=read(args.bundle, "bot.pem"))
    # No client_time: Send needs none, and the request_id makes a retry safe however late it comes.
    request = pb.SignRequest(method=args.method, path=args.path, request_id=args.request_id or str(uuid.uuid4()))
    for pair in args.params:
        key, _, value = pair.partition("=")
        request.params.add(key=key, value=value)
    with grpc.secure_channel(target, credentials) as channel:
        try:
            # Above the appliance's approval timeout (60 s): a withdrawal waits for a person.
            response = rpc.SignerStub(channel).Send(request, timeout=90)
        except grpc.RpcError as e:
            print(json.dumps({"error": e.code().name, "detail": e.details()}))
            return 1
    print(json.dumps({
        "http_status": response.http_status, "body": response.body.decode("utf-8"),
        "headers": dict(response.headers), "audit_id": response.audit_id, "approval": response.approval}))
    return 0 if 200 <= response.http_status < 300 else 1


if __name__ == "__main__":
    sys.exit(main())
