#!/usr/bin/env python3
"""Writes bad-input.json beside this script: the bad-input corpus (BadInputTests replays it). Edit the cases here,
run `python3 generate.py`, and commit both files. Each case names the reason it must be refused with."""
import json, os
U="cdd92199-2897-4e14-9448-f923320408ad"
cases=[]
def g(name, reason, method, path, params=(), **kw):
    d={"name":name,"via":"grpc","reason":reason,"method":method,"path":path,"params":[list(p) for p in params]}
    d.update(kw); cases.append(d)
def f(name, reason, method=None, target=None, body=None, headers=None, raw=None):
    d={"name":name,"via":"front","reason":reason}
    if raw is not None: d["raw"]=raw
    else:
        d["method"]=method; d["target"]=target
        if headers: d["headers"]=headers
        if body is not None: d["body"]=body
    cases.append(d)
CH=("GET","/v1/orders/chance")
def order(**over):
    base=[["market","KRW-BTC"],["side","bid"],["volume","0.01"],["price","100000000"],["ord_type","limit"]]
    out=[]
    for k,v in base:
        if k in over:
            if over[k] is None: continue
            v=over[k]
        out.append([k,v])
    for k,v in over.items():
        if k not in dict(base) and v is not None: out.append([k,v])
    return out
BAD="BAD_PARAM_VALUE"; UP="UNKNOWN_PARAM"; UE="UNKNOWN_ENDPOINT"; DUP="DUPLICATE_PARAM"; LONG="PARAM_TOO_LONG"; MANY="TOO_MANY_VALUES"; MAL="MALFORMED_REQUEST"
# ---- gRPC: smuggling
g("smuggle: '&key=' inside a value", BAD, *CH, [["market","KRW-BTC&market=KRW-ETH"]])
g("smuggle: encoded '&' inside a value", BAD, *CH, [["market","KRW-BTC%26market%3DKRW-ETH"]])
g("smuggle: CRLF header inside a value", BAD, *CH, [["market","KRW-BTC\r\nX-Evil: 1"]])
g("smuggle: '&' inside a key", UP, *CH, [["market&evil","KRW-BTC"]])
g("smuggle: '=' inside a key", UP, *CH, [["market=KRW-BTC&x","1"]])
g("smuggle: query in the path", UE, "GET", "/v1/accounts?x=1")
g("smuggle: fragment in the path", UE, "GET", "/v1/accounts#x")
g("smuggle: request line in the path", UE, "GET", "/v1/accounts HTTP/1.1\r\nHost: evil")
g("smuggle: second price inside volume", BAD, "POST", "/v1/orders", order(volume="0.01&price=1"))
g("smuggle: JSON in a value", BAD, "POST", "/v1/orders", order(price='1","price":"2'))
# ---- gRPC: percent and unicode tricks
g("percent: escaped '-' in market", BAD, *CH, [["market","KRW%2DBTC"]])
g("unicode: U+2010 hyphen in market", BAD, *CH, [["market","KRW\u2010BTC"]])
g("unicode: fullwidth letters in market", BAD, *CH, [["market","\uff2b\uff32\uff37-BTC"]])
g("unicode: Cyrillic a in a key", UP, *CH, [["m\u0430rket","KRW-BTC"]])
g("unicode: zero-width space after a key", UP, *CH, [["market\u200b","KRW-BTC"]])
g("unicode: right-to-left override in a value", BAD, *CH, [["market","KRW-\u202eCTB"]])
g("unicode: fullwidth slash in the path", UE, "GET", "/v1\uff0faccounts")
g("unicode: long s makes POST when upper-cased", UE, "PO\u017fT", "/v1/orders", order())
g("unicode: fullwidth method", UE, "\uff27\uff25\uff34", "/v1/accounts")
g("unicode: Arabic-Indic digit in volume", BAD, "POST", "/v1/orders", order(volume="\u0661"))
g("percent: escaped letter in the path", UE, "GET", "/v1/%61ccounts")
g("unicode: upper-case key", UP, *CH, [["MARKET","KRW-BTC"]])
# ---- gRPC: control characters
g("control: newline after a value", BAD, *CH, [["market","KRW-BTC\n"]])
g("control: newline after a key", UP, *CH, [["market\n","KRW-BTC"]])
g("control: NUL value", BAD, *CH, [["market","\u0000"]])
g("control: tab in a value", BAD, *CH, [["market","KRW\tBTC"]])
g("control: DEL in a value", BAD, *CH, [["market","KRW-BTC\u007f"]])
g("control: newline after the path", UE, "GET", "/v1/accounts\n")
g("control: newline after the method", UE, "GET\n", "/v1/accounts")
g("control: NUL after the method", UE, "GET\u0000", "/v1/accounts")
g("control: newline in request_id", "BAD_REQUEST_ID", "GET", "/v1/accounts", request_id="abc\ndef")
g("control: escape sequence in request_id", "BAD_REQUEST_ID", "GET", "/v1/accounts", request_id="\u001b[31mred")
g("control: space in a value", BAD, *CH, [["market","KRW BTC"]])
# ---- gRPC: oversize
g("oversize: 33 params", MANY, "GET", "/v1/orders/open", [["states[]","wait",33]])
g("oversize: key of 65 characters", LONG, *CH, [["${k*65}","KRW-BTC"]])
g("oversize: value of 513 characters", LONG, *CH, [["market","${A*513}"]])
g("oversize: market over its catalog limit", LONG, *CH, [["market","${A*33}"]])
g("oversize: message over 16 KiB", "grpc:ResourceExhausted", *CH, [["market","${A*17000}"]])
g("oversize: message of 2 MB", "grpc:ResourceExhausted", *CH, [["market","${A*2000000}"]])
g("oversize: path of 4000 characters", UE, "GET", "/v1/${a*4000}")
g("oversize: request_id of 1000 characters", "BAD_REQUEST_ID", "GET", "/v1/accounts", request_id="${a*1000}")
g("oversize: 21 uuids to cancel", MANY, "DELETE", "/v1/orders/uuids", [["uuids[]",U,21]])
g("oversize: 21 pairs in a comma list", MANY, "DELETE", "/v1/orders/open", [["pairs",",".join(f"KRW-C{i}" for i in range(21))]])
g("oversize: 3 states where 2 are allowed", MANY, "GET", "/v1/orders/open", [["market","KRW-BTC"],["states[]","wait"],["states[]","watch"],["states[]","wait"]])
g("oversize: volume of 65 digits", LONG, "POST", "/v1/orders", order(volume="${1*65}"))
# ---- gRPC: duplicate keys
g("duplicate: market twice", DUP, *CH, [["market","KRW-BTC"],["market","KRW-ETH"]])
g("duplicate: volume twice", DUP, "POST", "/v1/orders", order()+[["volume","100"]])
g("duplicate: uuid twice", DUP, "DELETE", "/v1/order", [["uuid",U],["uuid",U]])
g("duplicate: pairs twice", DUP, "DELETE", "/v1/orders/open", [["pairs","KRW-BTC"],["pairs","KRW-ETH"]])
g("duplicate: uuid and identifier both", BAD, "DELETE", "/v1/order", [["uuid",U],["identifier","x"]])
g("duplicate: same key, same value", DUP, *CH, [["market","KRW-BTC"],["market","KRW-BTC"]])
# ---- gRPC: arrays on scalar params
g("array: market[] on a scalar", UP, *CH, [["market[]","KRW-BTC"]])
g("array: uuid[] on a scalar", UP, "DELETE", "/v1/order", [["uuid[]",U]])
g("array: indexed volume[0]", UP, "POST", "/v1/orders", order(volume=None)+[["volume[0]","0.01"]])
g("array: states without []", UP, "GET", "/v1/orders/open", [["states","wait"]])
g("array: empty item in a comma list", BAD, "DELETE", "/v1/orders/open", [["pairs","KRW-BTC,,KRW-ETH"]])
# ---- gRPC: path tricks
for p in ["/v1/orders/../accounts","/v1//accounts","/v1/accounts/","v1/accounts","/v1/./accounts","/v1/accounts;x","//v1/accounts","/V1/accounts","/v1/Accounts","/v1\\accounts",""]:
    g(f"path: '{p}'", UE, "GET", p)
g("path: withdraw via dot segments", UE, "POST", "/v1/orders/../withdraws/coin", [["currency","BTC"],["net_type","BTC"],["amount","0.01"],["address","bc1qdemo0address0for0the0console0demo00000"]], credential="demo-withdraw")
# ---- gRPC: methods
for m in ["PUT","HEAD","PATCH","OPTIONS",""," GET","GET ","GET /v1/accounts","CONNECT"]:
    g(f"method: '{m}'", UE, m, "/v1/accounts")
# ---- gRPC: numbers
for name,v in [("exponent","1e-7"),("upper-case exponent","1E3"),("negative","-1"),("negative zero","-0"),("plus sign","+1"),("hex","0x10"),
               ("no integer part",".5"),("no fraction","1."),("two dots","1.2.3"),("decimal comma","1,5"),("leading zeros","00.5"),("leading zero integer","0100"),
               ("40 digits","1234567890123456789012345678901234567890"),("40 decimals","0.0000000000000000000000000000000000000001"),("NaN","NaN"),("Infinity","Infinity"),("trailing space","0.01 ")]:
    g(f"number: volume {name}", BAD, "POST", "/v1/orders", order(volume=v))
for name,v in [("exponent","1e2"),("negative","-1"),("leading zeros","007"),("decimal","1.5")]:
    g(f"number: limit {name}", BAD, "GET", "/v1/orders/open", [["market","KRW-BTC"],["limit",v]])
g("number: withdrawal amount with exponent", BAD, "POST", "/v1/withdraws/coin", [["currency","BTC"],["net_type","BTC"],["amount","1e-2"],["address","bc1qdemo0address0for0the0console0demo00000"]], credential="demo-withdraw")
g("number: withdrawal amount of 40 digits", BAD, "POST", "/v1/withdraws/coin", [["currency","BTC"],["net_type","BTC"],["amount","0000000000000000000000000000000000000001"],["address","bc1qdemo0address0for0the0console0demo00000"]], credential="demo-withdraw")
g("keyword: upper-case ord_type", BAD, "POST", "/v1/orders", order(ord_type="LIMIT"))
g("keyword: upper-case side", BAD, "POST", "/v1/orders", order(side="BID"))
g("empty: empty value", BAD, *CH, [["market",""]])
g("empty: empty key", UP, *CH, [["","KRW-BTC"]])

# ================= HTTPS front
H=["Connection: keep-alive"]
ORDER='{"market":"KRW-BTC","side":"bid","volume":"0.01","price":"100000000","ord_type":"limit"}'
def obody(**over):
    d={"market":"KRW-BTC","side":"bid","volume":"0.01","price":"100000000","ord_type":"limit"}
    parts=[]
    for k,v in d.items():
        if k in over: v=over[k]
        if v is None: continue
        parts.append(f'"{k}":{v if isinstance(v,RawJ) else json.dumps(v)}')
    return "{"+",".join(parts)+"}"
class RawJ(str): pass
smug_get="GET /v1/orders/chance?market=KRW-BTC HTTP/1.1\r\nHost: appliance\r\n\r\n"
# smuggling
f("smuggle: CL.TE with a hidden request: the chunked body wins", "MISSING_PARAM", raw="POST /v1/orders HTTP/1.1\r\nHost: appliance\r\nContent-Type: application/json\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"+smug_get)
f("smuggle: two Content-Length headers", "http:400", raw="POST /v1/orders HTTP/1.1\r\nHost: appliance\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 40\r\n\r\n{}")
f("smuggle: obfuscated Transfer-Encoding", "http:400", raw="POST /v1/orders HTTP/1.1\r\nHost: appliance\r\nContent-Type: application/json\r\nTransfer-Encoding: xchunked\r\n\r\n{}")
f("smuggle: GET with a body", MAL, raw="GET /v1/orders/chance?market=KRW-BTC HTTP/1.1\r\nHost: appliance\r\nContent-Length: {len}\r\n\r\n"+smug_get)
f("smuggle: DELETE with a chunked body", MAL, raw="DELETE /v1/order?uuid="+U+" HTTP/1.1\r\nHost: appliance\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
f("smuggle: encoded CRLF in a value", BAD, "GET", "/v1/orders/chance?market=KRW-BTC%0D%0AX-Evil:%201")
f("smuggle: encoded '&' in a value", BAD, "GET", "/v1/orders/chance?market=KRW-BTC%26market%3DKRW-ETH")
f("smuggle: ';' as a separator", BAD, "GET", "/v1/orders/chance?market=KRW-BTC;market=KRW-ETH")
f("smuggle: POST with a query", MAL, "POST", "/v1/orders?market=KRW-ETH", body=ORDER)
f("smuggle: absolute-form target", "http:400", "GET", "https://api.upbit.com/v1/orders/chance?market=KRW-BTC")
f("smuggle: form body on POST", MAL, "POST", "/v1/orders", headers=["Content-Type: application/x-www-form-urlencoded"], body="market=KRW-BTC&side=bid&volume=0.01&price=100000000&ord_type=limit")
f("smuggle: chunk size that is not hex", MAL, raw="POST /v1/orders HTTP/1.1\r\nHost: appliance\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n")
f("smuggle: TE.CL with a hidden request", MAL, raw="POST /v1/orders HTTP/1.1\r\nHost: appliance\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"+hex(len(smug_get))[2:]+"\r\n"+smug_get+"\r\n0\r\n\r\n")
# percent tricks
f("percent: '%' with one hex digit", MAL, "GET", "/v1/orders/chance?market=KRW-BTC%2")
f("percent: '%zz'", MAL, "GET", "/v1/orders/chance?market=%zzKRW")
f("percent: overlong UTF-8 dot", MAL, "GET", "/v1/orders/chance?market=%C0%AE")
f("percent: UTF-16 surrogate in UTF-8", MAL, "GET", "/v1/orders/chance?market=%ED%A0%80")
f("percent: byte 0xFF", MAL, "GET", "/v1/orders/chance?market=%FF")
f("percent: double-encoded '-'", BAD, "GET", "/v1/orders/chance?market=KRW%252DBTC")
f("percent: encoded NUL", BAD, "GET", "/v1/orders/chance?market=KRW-BTC%00")
f("percent: raw '+'", MAL, "GET", "/v1/orders/chance?market=KRW+BTC")
f("percent: fullwidth slash in the path", "http:404", "GET", "/v1%EF%BC%8Faccounts")
f("percent: escaped letter in the path", MAL, "GET", "/v1/%61ccounts")
f("percent: encoded key with a Cyrillic a", UP, "GET", "/v1/orders/chance?m%D0%B0rket=KRW-BTC")
f("unicode: raw UTF-8 in the query", "http:400", "GET", "/v1/orders/chance?market=KRW\u00e2\u0080\u0090BTC")
f("unicode: JSON escape for a fullwidth letter", BAD, "POST", "/v1/orders", body=obody(market=RawJ('"\\uff2bRW-BTC"')))
# control characters
f("control: encoded LF in a value", BAD, "GET", "/v1/orders/chance?market=KRW-BTC%0A")
f("control: encoded tab in a value", BAD, "GET", "/v1/orders/chance?market=KRW%09BTC")
f("control: NUL in a JSON string", BAD, "POST", "/v1/orders", body=obody(market=RawJ('"KRW-BTC\\u0000"')))
f("control: newline in a JSON key", UP, "POST", "/v1/orders", body='{"market\\n":"KRW-BTC"}')
f("control: raw control byte in the request line", BAD, raw="GET /v1/orders/chance?market=KRW\u0001BTC HTTP/1.1\r\nHost: appliance\r\n\r\n")
f("control: bare LF line endings with a NUL in the target", "http:400", raw="GET /v1/orders/chance?market=KRW\u0000 HTTP/1.1\nHost: appliance\n\n")
# oversize
f("oversize: body over 16 KiB", "REQUEST_TOO_LARGE", "POST", "/v1/orders", body='{"market":"${A*17000}"}')
f("oversize: query over 16 KiB", "http:414", "GET", "/v1/orders/chance?market=${A*17000}")
f("oversize: 33 params in the query", MANY, "GET", "/v1/orders/open?"+"&".join(["states[]=wait"]*33))
f("oversize: 33 fields in the body", MANY, "POST", "/v1/orders", body="{"+",".join(f'"k{i}":"v"' for i in range(33))+"}")
f("oversize: headers over 32 KiB", "http:431", "GET", "/v1/accounts", headers=["X-Pad: ${a*33000}"])
f("oversize: Content-Length of 100 MB", "REQUEST_TOO_LARGE", raw="POST /v1/orders HTTP/1.1\r\nHost: appliance\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{}")
f("oversize: value of 513 characters", LONG, "GET", "/v1/orders/chance?market=${A*513}")
f("oversize: key of 65 characters", LONG, "GET", "/v1/orders/chance?${k*65}=1")
# duplicate keys
f("duplicate: JSON key twice", DUP, "POST", "/v1/orders", body=ORDER[:-1]+',"volume":"100"}')
f("duplicate: JSON key twice, once escaped", DUP, "POST", "/v1/orders", body=ORDER[:-1]+',"vol\\u0075me":"100"}')
f("duplicate: query key twice", DUP, "GET", "/v1/orders/chance?market=KRW-BTC&market=KRW-ETH")
f("duplicate: query key twice, once encoded", DUP, "GET", "/v1/orders/chance?market=KRW-BTC&m%61rket=KRW-ETH")
f("duplicate: uuid and identifier", BAD, "DELETE", "/v1/order?uuid="+U+"&identifier=x")
# arrays on scalar params
f("array: JSON array on market", MAL, "POST", "/v1/orders", body=obody(market=RawJ('["KRW-BTC"]')))
f("array: JSON object on volume", MAL, "POST", "/v1/orders", body=obody(volume=RawJ('{"v":"1"}')))
f("array: JSON true on price", MAL, "POST", "/v1/orders", body=obody(price=RawJ('true')))
f("array: JSON null on volume", MAL, "POST", "/v1/orders", body=obody(volume=RawJ('null')))
f("array: market[] in the query", UP, "GET", "/v1/orders/chance?market[]=KRW-BTC")
f("array: market[0] in the query", UP, "GET", "/v1/orders/chance?market[0]=KRW-BTC")
f("array: states numbered out of order", MAL, "GET", "/v1/orders/open?market=KRW-BTC&states[1]=wait")
f("array: body is a JSON array", MAL, "POST", "/v1/orders", body="["+ORDER+"]")
# path tricks
for t,r in [("/v1/orders/../accounts",MAL),("/v1/./accounts",MAL),("/v1//accounts",UE),("/v1/accounts/",UE),("/V1/accounts",UE),("/v1/Accounts",UE),("/v1/accounts;x=1",UE),("/v1/%2e%2e/v1/accounts",MAL),("/v1/accounts%2F",UE)]:
    f(f"path: '{t}'", r, "GET", t)
# methods
for m in ["get","GeT","PUT","PATCH","OPTIONS","TRACE"]:
    f(f"method: {m}", UE, m, "/v1/accounts")
f("method: lower-case post", UE, "post", "/v1/orders", body=ORDER)
# numbers
for name,v in [("exponent too large",RawJ("1e400")),("negative",RawJ("-1")),("negative zero",RawJ("-0")),("40 digits",RawJ("1234567890123456789012345678901234567890")),
               ("exponent in a string","1e-7"),("leading zeros in a string","00.5"),("40 decimals",RawJ("0.0000000000000000000000000000000000000001"))]:
    f(f"number: JSON volume {name}", BAD, "POST", "/v1/orders", body=obody(volume=v))
f("number: JSON leading zero", MAL, "POST", "/v1/orders", body=obody(volume=RawJ("00.5")))
f("number: JSON NaN", MAL, "POST", "/v1/orders", body=obody(volume=RawJ("NaN")))
f("number: JSON hex", MAL, "POST", "/v1/orders", body=obody(volume=RawJ("0x10")))
f("number: query limit with exponent", BAD, "GET", "/v1/orders/open?market=KRW-BTC&limit=1e2")
f("number: query limit negative", BAD, "GET", "/v1/orders/open?market=KRW-BTC&limit=-1")
f("number: query limit with leading zeros", BAD, "GET", "/v1/orders/open?market=KRW-BTC&limit=007")
f("number: query count of 40 digits", LONG, "DELETE", "/v1/orders/open?pairs=KRW-BTC&count=1234567890123456789012345678901234567890")
# JSON shape
f("json: comment", MAL, "POST", "/v1/orders", body='{"market":"KRW-BTC" /* x */}')
f("json: trailing comma", MAL, "POST", "/v1/orders", body=ORDER[:-1]+",}")
f("json: byte order mark", MAL, "POST", "/v1/orders", body="\u00ef\u00bb\u00bf"+ORDER)
f("json: invalid UTF-8 in a string", MAL, "POST", "/v1/orders", body='{"market":"KRW-\u00ff"}')
f("json: two objects", MAL, "POST", "/v1/orders", body=ORDER+ORDER)
f("json: text/plain content type", MAL, "POST", "/v1/orders", headers=["Content-Type: text/plain"], body=ORDER)
f("json: single quotes", MAL, "POST", "/v1/orders", body="{'market':'KRW-BTC'}")
cases=[c for c in cases if c]
json.dump(cases, open(os.path.join(os.path.dirname(os.path.abspath(__file__)),"bad-input.json"),"w"), indent=1, ensure_ascii=True)
import collections
print(len(cases), collections.Counter(c["via"] for c in cases))
