// Drives GOV.UK Notify's official Node client against a live Herald for tests/e2e/test_node_client.py.
// Reads a plan from standard input: {"baseUrl", "apiKey", "calls": [{"label", "method", "args": [...]}]},
// makes each call in turn and prints one JSON array: {label, ok, status, data} per call (data is the response
// body, or the error body when Herald refused), or {label, ok: false, error} when no response came back.
'use strict';

const { NotifyClient } = require('notifications-node-client');

function readStandardInput() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on('data', (chunk) => chunks.push(chunk));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

async function makeCall(client, call) {
  try {
    const response = await client[call.method](...call.args);
    return { label: call.label, ok: true, status: response.status, data: response.data };
  } catch (error) {
    if (error.response) {
      return { label: call.label, ok: false, status: error.response.status, data: error.response.data };
    }
    return { label: call.label, ok: false, error: String(error) };
  }
}

async function main() {
  const plan = JSON.parse(await readStandardInput());
  const client = new NotifyClient(plan.baseUrl, plan.apiKey);
  const results = [];
  for (const call of plan.calls) {
    results.push(await makeCall(client, call));
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error));
  process.exit(1);
});
