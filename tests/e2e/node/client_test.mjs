// End-to-end check with the npm `mqtt` client (MQTT.js 5), run by
// tests/e2e/test_14_npm_client.py:
//   node client_test.mjs <host> <tcp-port> <ws-port>
// For MQTT 3.1.1 and 5, a TCP client and a WebSocket client (ws://host:port/mqtt)
// both subscribe at QoS 1, each publishes QoS 1 messages, and both must receive
// every message from both, in order, at QoS 1. Exits 0 on success; prints the
// failure and exits 1 otherwise. Every wait has a deadline.
import mqtt from 'mqtt';

const [host, tcpPort, wsPort] = process.argv.slice(2);
if (!host || !tcpPort || !wsPort) {
  console.error('usage: node client_test.mjs <host> <tcp-port> <ws-port>');
  process.exit(2);
}

const TIMEOUT_MS = 10000;
const COUNT = 20;

function withTimeout(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function collector(client, topic, expected) {
  const got = [];
  const done = new Promise((resolve) => {
    client.on('message', (t, payload, packet) => {
      if (t !== topic) return;
      got.push({ payload: payload.toString(), qos: packet.qos, packet });
      if (got.length === expected) resolve(got);
    });
  });
  return { got, done };
}

async function connect(url, protocolVersion, name) {
  const client = await withTimeout(
    mqtt.connectAsync(url, {
      protocolVersion,
      clientId: `npm-${name}-${protocolVersion}-${process.pid}`,
      reconnectPeriod: 0,
      connectTimeout: TIMEOUT_MS,
      clean: true,
    }),
    `connect ${url}`);
  return client;
}

async function run(protocolVersion) {
  const topic = `npm/${protocolVersion}/${process.pid}/${Date.now()}`;
  const tcp = await connect(`mqtt://${host}:${tcpPort}`, protocolVersion, 'tcp');
  const ws = await connect(`ws://${host}:${wsPort}/mqtt`, protocolVersion, 'ws');
  try {
    const tcpGot = collector(tcp, topic, 2 * COUNT);
    const wsGot = collector(ws, topic, 2 * COUNT);
    for (const c of [tcp, ws]) {
      const granted = await withTimeout(c.subscribeAsync(topic, { qos: 1 }), 'subscribe');
      if (granted[0].qos !== 1) throw new Error(`granted ${JSON.stringify(granted)}`);
    }
    const props = protocolVersion === 5
      ? { properties: { userProperties: { origin: 'npm' }, contentType: 'text/plain' } }
      : {};
    for (let i = 0; i < COUNT; i++) {
      await withTimeout(tcp.publishAsync(topic, `tcp-${i}`, { qos: 1, ...props }), 'publish tcp');
      await withTimeout(ws.publishAsync(topic, `ws-${i}`, { qos: 1, ...props }), 'publish ws');
    }
    for (const [name, c] of [['tcp', tcpGot], ['ws', wsGot]]) {
      const got = await withTimeout(c.done, `${name} receiving ${2 * COUNT} messages`);
      for (const src of ['tcp', 'ws']) {
        const seq = got.filter((m) => m.payload.startsWith(`${src}-`)).map((m) => m.payload);
        const want = Array.from({ length: COUNT }, (_, i) => `${src}-${i}`);
        if (JSON.stringify(seq) !== JSON.stringify(want)) {
          throw new Error(`${name} got ${JSON.stringify(seq)} from ${src}`);
        }
      }
      if (got.some((m) => m.qos !== 1)) throw new Error(`${name}: a message not at QoS 1`);
      if (protocolVersion === 5) {
        const p = got[0].packet.properties || {};
        const origin = p.userProperties && p.userProperties.origin;
        if (origin !== 'npm' || p.contentType !== 'text/plain') {
          throw new Error(`${name}: properties not forwarded: ${JSON.stringify(p)}`);
        }
      }
    }
    const label = protocolVersion === 5 ? '5' : '3.1.1';
    console.log(`MQTT ${label}: tcp and ws exchanged ${4 * COUNT} deliveries`);
  } finally {
    await Promise.allSettled([tcp.endAsync(), ws.endAsync()]);
  }
}

try {
  await run(4);
  await run(5);
  process.exit(0);
} catch (err) {
  console.error(`FAILED: ${err.stack || err}`);
  process.exit(1);
}
