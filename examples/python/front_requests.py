#!/usr/bin/python3
"""A Python bot calling Upbit's private API through the appliance's HTTPS front, with `requests`.

The request is written exactly as for api.upbit.com (query string for GET and DELETE, a JSON body for
POST); only the base URL and the TLS client certificate change: `cert=(bot.pem, bot.key)` identifies
the bot and `verify=ca.pem` trusts the appliance's CA only. There is no token and no Authorization
header: the appliance signs with its own key and sends the request itself. Debian's python3-requests.
Prints Upbit's answer as one JSON object (status, body, and the appliance's refusal reason if any).

    /usr/bin/python3 examples/python/front_requests.py --bundle DIR GET /v1/accounts
    /usr/bin/python3 examples/python/front_requests.py --bundle DIR --front https://127.0.0.1:50051 \\
        POST /v1/orders market=KRW-BTC side=bid volume=0.01 price=100000000 ord_type=limit
"""
import argparse
import json
import os
import sys
import uuid

import requests


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", required=True, help="the bot bundle directory (ca.pem, bot.pem, bot.key, bot.json)")
    parser.add_argument("--front", help="the front's base URL (default: bot.json's endpoint)")
    parser.add_argument("method", choices=["GET", "POST", "DELETE"])
    parser.add_argument("path", help="an Upbit private path, e.g. /v1/accounts")
    parser.add_argument("params", nargs="*", help="key=value (repeat a key[] key for arrays)")
    args = parser.parse_args()

    bundle = lambda name: os.path.join(args.bundle, name)
    with open(bundle("bot.json"), encoding="utf-8") as f:
        front = (args.front or json.load(f)["endpoint"]).rstrip("/")
    params = [tuple(p.split("=", 1)) for p in args.params]
    # X-Request-Id makes a retry safe: the appliance never sends the same id twice.
    headers = {"X-Request-Id": str(uuid.uuid4())}
    kwargs = {"json": dict(params)} if args.method == "POST" else {"params": params}
    # Above the appliance's approval timeout (60 s): a withdrawal waits for a person.
    response = requests.request(args.method, front + args.path, headers=headers, timeout=90,
                                cert=(bundle("bot.pem"), bundle("bot.key")), verify=bundle("ca.pem"), **kwargs)
    print(json.dumps({
        "status": response.status_code,
        "body": response.text,
        "remaining_req": response.headers.get("Remaining-Req"),
        "reason": response.headers.get("X-Appliance-Reason"),
    }))
    return 0 if response.status_code < 400 else 1


if __name__ == "__main__":
    sys.exit(main())
