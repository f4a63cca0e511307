#!/usr/bin/env node
// A stock ccxt pro bot watching its orders and balance through the appliance's private WebSocket relay.
//
// ccxt pro (part of the pinned ccxt 4.5.84) is unmodified. Beside ccxt_front.js's two changes it needs:
//   3. urls.api.ws is the front's WebSocket base, wss://HOST:PORT/websocket/v1 (ccxt adds /private).
//   4. exchange.agent is an https.Agent holding the bundle's certificate, key and CA: ccxt hands it to the
//      'ws' package for the WebSocket upgrade. ccxt still sends its own token; the appliance ignores it and
//      holds the one upstream connection itself.
//
//   node examples/node/ccxt_pro_front.js --bundle DIR [--front https://HOST:PORT] [--public URL]
//
// Subscribes to myOrder (watchOrders) and myAsset (watchBalance), places a resting limit bid through the REST
// front, and prints one JSON line for the order event and one for the balance event that follow it.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const https = require('node:https');
const ccxt = require('ccxt');
const { frontExchange } = require('./ccxt_front.js');

function parseArgs(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '');
    if (!['bundle', 'front', 'public'].includes(name) || i + 1 >= argv.length) usage();
    opts[name] = argv[++i];
  }
  if (!opts.bundle) usage();
  return opts;
}

function usage() {
  console.error('usage: ccxt_pro_front.js --bundle DIR [--front URL] [--public URL]');
  process.exit(2);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const read = (name) => fs.readFileSync(path.join(opts.bundle, name));
  const front = (opts.front || JSON.parse(read('bot.json')).endpoint).replace(/\/+$/, '');
  const api = { private: front, ws: front.replace(/^https:/, 'wss:') + '/websocket/v1' };
  if (opts.public) api.public = opts.public.replace(/\/+$/, '');
  const pro = new ccxt.pro.upbit({
    apiKey: 'signed-by-the-appliance',
    secret: 'signed-by-the-appliance',
    urls: { api },
    agent: new https.Agent({ cert: read('bot.pem'), key: read('bot.key'), ca: read('ca.pem') }),
  });
  const rest = frontExchange(opts.bundle, { front, publicBase: opts.public });
  const say = (step, value) => console.log(JSON.stringify({ step, ...value }));
  try {
    await pro.loadMarkets();
    const orders = pro.watchOrders('BTC/KRW');
    const balance = pro.watchBalance();
    // The relay subscribes upstream after admitting the stream: an order placed before that sends no event.
    // So place one, and if no event comes within 3 s, place another (the printed ids say which were seen).
    const ids = [];
    let seen;
    for (let attempt = 0; attempt < 10 && seen === undefined; attempt++) {
      const placed = await rest.exchange.createOrder('BTC/KRW', 'limit', 'buy', 0.01, 100000000);
      ids.push(placed.id);
      seen = await Promise.race([orders, new Promise((resolve) => setTimeout(resolve, 3000))]);
    }
    say('createOrder', { ids });
    if (seen === undefined) throw new Error('no order event came through the relay');
    say('watchOrders', { ids: seen.map((o) => o.id), status: seen.map((o) => o.status) });
    const funds = await balance;
    say('watchBalance', { currencies: Object.keys(funds.total || {}) });
  } catch (e) {
    say('error', { class: e.constructor.name, message: e.message });
    process.exitCode = 1;
  } finally {
    await pro.close();
    await rest.close();
  }
}

if (require.main === module) main();
