#!/usr/bin/env node
// Test helper: one ccxt implicit-API call through the front (examples/node/ccxt_front.js's exchange),
// printing what a ccxt bot sees as one JSON line: {"ok":true,...} or {"class":"<ccxt exception>",...}.
//   node ccxt_call.js --bundle DIR --front URL [--header Name=Value] METHOD '{"json":"params"}'
'use strict';
const path = require('node:path');
const { frontExchange } = require(path.join(__dirname, '..', '..', '..', 'examples', 'node', 'ccxt_front.js'));

async function main() {
  const args = process.argv.slice(2);
  const opts = { headers: {} };
  const rest = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--bundle') opts.bundle = args[++i];
    else if (args[i] === '--front') opts.front = args[++i];
    else if (args[i] === '--header') { const [k, v] = args[++i].split('='); opts.headers[k] = v; }
    else rest.push(args[i]);
  }
  const [method, params] = rest;
  const { exchange, close } = frontExchange(opts.bundle, { front: opts.front, headers: opts.headers, timeout: 30000 });
  try {
    const result = await exchange[method](JSON.parse(params || '{}'));
    console.log(JSON.stringify({ ok: true, result }));
  } catch (e) {
    console.log(JSON.stringify({ class: e.constructor.name, message: e.message, headers: exchange.last_response_headers || {} }));
  } finally {
    await close();
  }
}
main();
