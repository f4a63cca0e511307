#!/usr/bin/env node
// A stock ccxt bot trading through the appliance's Upbit-compatible HTTPS front.
//
// ccxt itself is unmodified (versions pinned in package.json / package-lock.json). Two things change
// for a bot that used to talk to api.upbit.com:
//   1. urls.api.private is the front's base URL (bot.json's "endpoint"); public market data may keep
//      going to Upbit directly (the front serves only private endpoints).
//   2. The TLS client certificate. ccxt 4.5 sends through undici, which ignores an https.Agent, so ccxt
//      gets a fetchImplementation that passes an undici Agent built from the bot bundle (bot.pem,
//      bot.key, and ca.pem as the only trusted root) as the dispatcher, for the front's origin only.
// The appliance ignores ccxt's Authorization header: it signs with its own key and sends the request
// itself. apiKey/secret are placeholders because ccxt refuses private calls without them.
// timeout is above the appliance's approval timeout (60 s by default): a withdrawal waits for a person.
//
//   node examples/node/ccxt_front.js --bundle DIR [--front https://HOST:PORT] [--public URL] [--withdraw-address ADDR]
//
// Runs fetchBalance, createOrder, fetchOpenOrders, cancelOrder and (with --withdraw-address) a BTC
// withdrawal, printing one JSON line per step.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const ccxt = require('ccxt');
const { Agent, fetch } = require('undici');

/** A ccxt upbit exchange whose private calls go to the front with the bundle's certificate. */
function frontExchange(bundleDir, options = {}) {
  const read = (name) => fs.readFileSync(path.join(bundleDir, name));
  const front = (options.front || JSON.parse(read('bot.json')).endpoint).replace(/\/+$/, '');
  const mtls = new Agent({ connect: { cert: read('bot.pem'), key: read('bot.key'), ca: read('ca.pem') } });
  const plain = new Agent({}); // system roots, for public market data
  const api = { private: front };
  if (options.publicBase) api.public = options.publicBase.replace(/\/+$/, '');
  const exchange = new ccxt.upbit({
    apiKey: 'signed-by-the-appliance',
    secret: 'signed-by-the-appliance',
    urls: { api },
    timeout: options.timeout || 90000,
    headers: options.headers || {},
    fetchImplementation: (url, init) =>
      fetch(url, { ...init, dispatcher: url.startsWith(front + '/') ? mtls : plain }),
  });
  const close = async () => { await mtls.close(); await plain.close(); };
  return { exchange, close };
}

function parseArgs(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '');
    if (!['bundle', 'front', 'public', 'withdraw-address'].includes(name) || i + 1 >= argv.length) {
      console.error('usage: ccxt_front.js --bundle DIR [--front URL] [--public URL] [--withdraw-address ADDR]');
      process.exit(2);
    }
    opts[name] = argv[++i];
  }
  if (!opts.bundle) {
    console.error('usage: ccxt_front.js --bundle DIR [--front URL] [--public URL] [--withdraw-address ADDR]');
    process.exit(2);
  }
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const { exchange, close } = frontExchange(opts.bundle, { front: opts.front, publicBase: opts.public });
  const say = (step, value) => console.log(JSON.stringify({ step, ...value }));
  try {
    const balance = await exchange.fetchBalance();
    say('fetchBalance', { currencies: Object.keys(balance.total) });
    const order = await exchange.createOrder('BTC/KRW', 'limit', 'buy', 0.01, 100000000);
    say('createOrder', { id: order.id, clientOrderId: order.clientOrderId });
    const open = await exchange.fetchOpenOrders('BTC/KRW');
    say('fetchOpenOrders', { ids: open.map((o) => o.id) });
    const cancelled = await exchange.cancelOrder(order.id);
    say('cancelOrder', { id: cancelled.id });
    if (opts['withdraw-address']) {
      const withdrawal = await exchange.withdraw('BTC', 0.1, opts['withdraw-address'], undefined, { network: 'BTC' });
      say('withdraw', { id: withdrawal.id, status: withdrawal.status });
    }
  } catch (e) {
    say('error', { class: e.constructor.name, message: e.message });
    process.exitCode = 1;
  } finally {
    await close();
  }
}

module.exports = { frontExchange };
if (require.main === module) main();
