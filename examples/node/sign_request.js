#!/usr/bin/env node
// A Node bot asking the appliance to sign one Upbit request, with stock @grpc/grpc-js.
// grpc-js verifies the server's name against the address dialled, with the bundle's ca.pem as the
// only root. Prints the response as one JSON line.
//
//   node examples/node/sign_request.js --bundle DIR GET /v1/accounts
//   node examples/node/sign_request.js --bundle DIR --target 127.0.0.1:50051 GET /v1/orders/open market=KRW-BTC 'states[]=wait'
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

function parseArgs(argv) {
  const opts = { params: [] };
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--bundle') opts.bundle = argv[++i];
    else if (argv[i] === '--target') opts.target = argv[++i];
    else rest.push(argv[i]);
  }
  [opts.method, opts.path, ...opts.params] = rest;
  if (!opts.bundle || !opts.method || !opts.path) {
    console.error('usage: sign_request.js --bundle DIR [--target HOST:PORT] METHOD PATH [key=value ...]');
    process.exit(2);
  }
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
const read = (name) => fs.readFileSync(path.join(opts.bundle, name));
const definition = protoLoader.loadSync('appliance/v1/signer.proto', {
  keepCase: true, includeDirs: [path.join(__dirname, '..', '..', 'protos')],
});
const { Signer } = grpc.loadPackageDefinition(definition).appliance.v1;
const target = opts.target || new URL(JSON.parse(read('bot.json')).endpoint).host;
const credentials = grpc.credentials.createSsl(read('ca.pem'), read('bot.key'), read('bot.pem'));
const client = new Signer(target, credentials);

const now = Date.now();
const request = {
  method: opts.method,
  path: opts.path,
  params: opts.params.map((pair) => {
    const at = pair.indexOf('=');
    return { key: pair.slice(0, at), value: pair.slice(at + 1) };
  }),
  request_id: crypto.randomUUID(),
  client_time: { seconds: Math.floor(now / 1000), nanos: (now % 1000) * 1e6 },
};
client.Sign(request, { deadline: Date.now() + 15000 }, (err, response) => {
  if (err) {
    console.log(JSON.stringify({ error: grpc.status[err.code], detail: err.details }));
    process.exit(1);
  }
  console.log(JSON.stringify(response));
  client.close();
});
