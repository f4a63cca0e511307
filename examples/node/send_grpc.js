#!/usr/bin/env node
// A Node bot handing the appliance one Upbit request over gRPC (Send), with stock @grpc/grpc-js:
// the appliance judges, signs and sends it, and returns Upbit's answer; the bot never holds a token.
// grpc-js verifies the server's name against the address dialled, with the bundle's ca.pem as the
// only root. Prints Upbit's answer as one JSON line.
//
//   node examples/node/send_grpc.js --bundle DIR GET /v1/accounts
//   node examples/node/send_grpc.js --bundle DIR --target 127.0.0.1:50051 GET /v1/orders/open market=KRW-BTC 'states[]=wait'
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
    console.error('usage: send_grpc.js --bundle DIR [--target HOST:PORT] METHOD PATH [key=value ...]');
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

// No client_time: Send needs none, and the request_id makes a retry safe however late it comes.
const request = {
  method: opts.method,
  path: opts.path,
  params: opts.params.map((pair) => {
    const at = pair.indexOf('=');
    return { key: pair.slice(0, at), value: pair.slice(at + 1) };
  }),
  request_id: crypto.randomUUID(),
};
// The deadline is above the appliance's approval timeout (60 s): a withdrawal waits for a person.
client.Send(request, { deadline: Date.now() + 90000 }, (err, response) => {
  if (err) {
    console.log(JSON.stringify({ error: grpc.status[err.code], detail: err.details }));
    process.exit(1);
  }
  const { http_status, headers, audit_id, approval } = response;
  console.log(JSON.stringify({ http_status, body: response.body.toString('utf8'), headers, audit_id, approval }));
  client.close();
  process.exitCode = http_status >= 200 && http_status < 300 ? 0 : 1;
});
