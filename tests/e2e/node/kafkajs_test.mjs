// End-to-end check with the npm `kafkajs` client (KafkaJS 2), run by
// tests/e2e/test_25_kafkajs.py:
//   node kafkajs_test.mjs <host:port>
// Optional environment: KAFKAJS_SASL_USER / KAFKAJS_SASL_PASSWORD, a user the
// test created through the admin API, for the SASL/PLAIN step.
//
// Steps (each prints a "step:" line; any mismatch prints "FAIL: ..." and exits 1):
//  admin       createTopics (3 partitions), a second create reports "exists",
//              fetchTopicMetadata, listTopics
//  produce     keyed records with headers to explicit partitions: plain with
//              acks -1, GZIP with acks 1, then an idempotent producer; the
//              base offset of every partition's batch is checked
//  consume     a group reads everything from the beginning: keys, values,
//              headers, partitions and offsets exactly, nothing twice
//  split       two consumers in one group share 3 partitions; each record is
//              seen exactly once, by the member that owns its partition;
//              describeGroups / listGroups while they run
//  resume      commit, stop, fetchOffsets, restart in the same group: resumes
//              after the committed offsets; setOffsets and resetOffsets move it
//  sasl        SASL/PLAIN with the admin-API user; a wrong password is refused
//  delete      deleteTopics; listTopics no longer shows them
// Every wait has a deadline, and a watchdog ends the whole run.
import kafkajs from 'kafkajs';

const { Kafka, CompressionTypes, logLevel, Partitioners, AssignerProtocol } = kafkajs;

const [bootstrap] = process.argv.slice(2);
if (!bootstrap) {
  console.error('usage: node kafkajs_test.mjs <host:port>');
  process.exit(2);
}

const WAIT_MS = 15000;
const WATCHDOG_MS = 50000;
const RUN = `${process.pid}-${Date.now()}`;
const STARTED = Date.now();

const watchdog = setTimeout(() => {
  console.error(`FAIL: watchdog: the run took longer than ${WATCHDOG_MS} ms`);
  process.exit(1);
}, WATCHDOG_MS);

function step(msg) {
  console.log(`step: ${msg} (+${Date.now() - STARTED} ms)`);
}

function check(cond, msg) {
  if (!cond) throw new Error(`mismatch: ${msg}`);
}

function eq(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`mismatch: ${what}\n  got      ${a}\n  expected ${e}`);
}

function withTimeout(promise, what, ms = WAIT_MS) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Resolves when cond() holds; checked every 20 ms until the deadline.
function until(cond, what, ms = WAIT_MS) {
  return withTimeout(new Promise((resolve) => {
    const poll = () => (cond() ? resolve() : setTimeout(poll, 20));
    poll();
  }), what, ms);
}

function client(id, extra = {}) {
  return new Kafka({
    clientId: `kjs-${id}-${RUN}`,
    brokers: [bootstrap],
    logLevel: logLevel.WARN,
    connectionTimeout: 5000,
    requestTimeout: 10000,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1000 },
    ...extra,
  });
}

const kafka = client('main');
const open = []; // producers, consumers and admins to disconnect on the way out

async function connected(thing) {
  await withTimeout(thing.connect(), 'connect');
  open.push(thing);
  return thing;
}

async function close(thing) {
  const i = open.indexOf(thing);
  if (i >= 0) open.splice(i, 1);
  await withTimeout(thing.disconnect(), 'disconnect');
}

function newProducer(k, opts = {}) {
  return k.producer({ createPartitioner: Partitioners.DefaultPartitioner, ...opts });
}

function newConsumer(k, groupId) {
  return k.consumer({
    groupId,
    // the server's default group.min.session.timeout.ms is 6000
    sessionTimeout: 6000,
    rebalanceTimeout: 10000,
    heartbeatInterval: 300,
    maxWaitTimeInMs: 100,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1000 },
  });
}

const str = (b) => (b === null || b === undefined ? null : b.toString());

function headersOf(message) {
  const out = {};
  for (const [k, v] of Object.entries(message.headers || {})) out[k] = str(v);
  return out;
}

// A comparable view of a consumed record.
function view(topic, partition, message) {
  return {
    topic,
    partition,
    offset: message.offset,
    key: str(message.key),
    value: str(message.value),
    headers: headersOf(message),
  };
}

const byPosition = (a, b) =>
  a.topic.localeCompare(b.topic) || a.partition - b.partition || Number(a.offset) - Number(b.offset);

// Consumes with a running consumer until `want` records arrived; returns them
// sorted. Fails on a record seen twice.
async function consumeUntil(consumer, want, what, onMessage) {
  const got = [];
  const seen = new Set();
  let dup = null;
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic, partition, message }) => {
      const v = view(topic, partition, message);
      const id = `${topic}/${partition}/${v.offset}`;
      if (seen.has(id)) dup = dup || id;
      seen.add(id);
      got.push(v);
      if (onMessage) onMessage(v);
    },
  });
  await until(() => dup || got.length >= want(got), what);
  check(!dup, `${what}: record ${dup} delivered twice`);
  return got.sort(byPosition);
}

// ---------------------------------------------------------------------------

const topicA = `kjs-a-${RUN}`; // produce/consume/resume
const topicB = `kjs-b-${RUN}`; // the two-member group
const PARTITIONS = 3;
const expectedA = []; // every record of topicA as a consumer must see it
const nextOffset = [0, 0, 0];

function record(i) {
  const headers = { 'h-idx': String(i), 'h-kind': i % 2 ? 'odd' : 'even' };
  return {
    partition: i % PARTITIONS,
    // record 0 has no key, record 1 no headers: both must round-trip as such
    key: i === 0 ? null : `key-${i}`,
    value: `value-${i}-${'x'.repeat(i * 7)}`,
    headers: i === 1 ? undefined : headers,
  };
}

// Sends records [from, to) to topicA and checks each partition's base offset.
async function produceA(producer, from, to, opts, what) {
  const messages = [];
  for (let i = from; i < to; i++) messages.push(record(i));
  const meta = await withTimeout(producer.send({ topic: topicA, messages, ...opts }), what);
  const base = {};
  for (const m of messages) {
    if (!(m.partition in base)) base[m.partition] = nextOffset[m.partition];
    expectedA.push({
      topic: topicA,
      partition: m.partition,
      offset: String(nextOffset[m.partition]++),
      key: m.key,
      value: m.value,
      headers: m.headers || {},
    });
  }
  const got = meta.map((r) => ({ p: r.partition, err: r.errorCode, base: String(r.baseOffset) }))
    .sort((a, b) => a.p - b.p);
  const want = Object.keys(base).map((p) => ({ p: Number(p), err: 0, base: String(base[p]) }))
    .sort((a, b) => a.p - b.p);
  eq(got, want, `${what}: per-partition produce results`);
  step(`${what}: ${messages.length} records, base offsets ${JSON.stringify(base)}`);
}

async function admin() {
  const a = await connected(kafka.admin());
  const created = await withTimeout(a.createTopics({
    topics: [topicA, topicB].map((topic) => ({ topic, numPartitions: PARTITIONS })),
    waitForLeaders: true,
  }), 'createTopics');
  check(created === true, `createTopics returned ${created}, expected true`);
  const again = await withTimeout(a.createTopics({
    topics: [{ topic: topicA, numPartitions: PARTITIONS }],
  }), 'createTopics again');
  check(again === false, `second createTopics returned ${again}, expected false (exists)`);

  const { topics } = await withTimeout(a.fetchTopicMetadata({ topics: [topicA, topicB] }),
    'fetchTopicMetadata');
  const cluster = await withTimeout(a.describeCluster(), 'describeCluster');
  check(cluster.brokers.length === 1, `describeCluster: ${JSON.stringify(cluster)}`);
  const nodeId = cluster.brokers[0].nodeId;
  check(cluster.controller === nodeId, `controller ${cluster.controller}, broker ${nodeId}`);
  eq(topics.map((t) => t.name).sort(), [topicA, topicB].sort(), 'fetchTopicMetadata names');
  for (const t of topics) {
    eq(t.partitions.map((p) => ({ id: p.partitionId, leader: p.leader, err: p.partitionErrorCode,
                                  replicas: p.replicas, isr: p.isr }))
      .sort((x, y) => x.id - y.id),
    [0, 1, 2].map((id) => ({ id, leader: nodeId, err: 0, replicas: [nodeId], isr: [nodeId] })),
    `metadata of ${t.name}`);
  }
  const list = await withTimeout(a.listTopics(), 'listTopics');
  check(list.includes(topicA) && list.includes(topicB), `listTopics: ${list}`);
  const offsets = await withTimeout(a.fetchTopicOffsets(topicA), 'fetchTopicOffsets');
  eq(offsets.map((o) => [o.partition, o.low, o.high]).sort(), [[0, '0', '0'], [1, '0', '0'],
    [2, '0', '0']], 'fetchTopicOffsets of the new topic');
  step(`admin: created ${topicA} and ${topicB} (3 partitions, leader ${nodeId}), listed`);
  return a;
}

async function produce() {
  const p = await connected(newProducer(kafka));
  await produceA(p, 0, 9, { acks: -1 }, 'produce plain acks=-1');
  await produceA(p, 9, 18, { acks: 1, compression: CompressionTypes.GZIP },
    'produce gzip acks=1');
  await close(p);

  const idem = await connected(newProducer(kafka, { idempotent: true, maxInFlightRequests: 1 }));
  await produceA(idem, 18, 24, { acks: -1 }, 'produce idempotent');
  await produceA(idem, 24, 30, { acks: -1, compression: CompressionTypes.GZIP },
    'produce idempotent gzip');
  await close(idem);
}

async function consumeAll(a) {
  const group = `kjs-all-${RUN}`;
  const c = await connected(newConsumer(kafka, group));
  await c.subscribe({ topic: topicA, fromBeginning: true });
  const got = await consumeUntil(c, () => expectedA.length, 'consume everything');
  await close(c);
  eq(got, [...expectedA].sort(byPosition), 'records read from the beginning');
  const high = await withTimeout(a.fetchTopicOffsets(topicA), 'fetchTopicOffsets');
  eq(high.map((o) => [o.partition, o.high]).sort(), nextOffset.map((n, p) => [p, String(n)]),
    'high watermarks after producing');
  step(`consume: ${got.length} records, keys/values/headers/partitions/offsets exact`);
}

async function split(a) {
  const group = `kjs-split-${RUN}`;
  const members = [0, 1].map(() => ({ assigned: null, got: [] }));
  const consumers = [];
  for (const m of members) {
    const c = await connected(newConsumer(kafka, group));
    c.on(c.events.GROUP_JOIN, (e) => { m.assigned = e.payload.memberAssignment[topicB] || []; });
    await c.subscribe({ topic: topicB, fromBeginning: true });
    await c.run({
      autoCommit: true,
      eachMessage: async ({ topic, partition, message }) => {
        m.got.push(view(topic, partition, message));
      },
    });
    consumers.push(c);
  }
  // Produce only once both members hold disjoint shares covering all partitions,
  // so no rebalance can hand a record to the other member afterwards.
  await until(() => {
    const [x, y] = members.map((m) => m.assigned);
    if (!x || !y || !x.length || !y.length) return false;
    const all = [...x, ...y].sort();
    return JSON.stringify(all) === JSON.stringify([0, 1, 2]);
  }, 'two members splitting 3 partitions');
  step(`split: member assignments ${JSON.stringify(members.map((m) => m.assigned))}`);

  const { groups: described } = await withTimeout(a.describeGroups([group]), 'describeGroups');
  check(described.length === 1, `describeGroups: ${JSON.stringify(described)}`);
  const d = described[0];
  check(d.groupId === group && d.state === 'Stable' && d.protocolType === 'consumer'
        && d.members.length === 2 && d.errorCode === 0,
  `describeGroups: ${JSON.stringify({ ...d, members: d.members.length })}`);
  const fromDescribe = d.members.map((mem) => {
    const assignment = AssignerProtocol.MemberAssignment.decode(mem.memberAssignment);
    return assignment.assignment[topicB] || [];
  }).flat().sort();
  eq(fromDescribe, [0, 1, 2], 'partitions in describeGroups member assignments');
  const { groups: listed } = await withTimeout(a.listGroups(), 'listGroups');
  const mine = listed.find((g) => g.groupId === group);
  check(mine && mine.protocolType === 'consumer', `listGroups: ${JSON.stringify(listed)}`);
  step(`split: describeGroups Stable with 2 members, listGroups lists ${group}`);

  const N = 30;
  const p = await connected(newProducer(kafka));
  const messages = [];
  for (let i = 0; i < N; i++) {
    messages.push({ partition: i % PARTITIONS, key: `b-${i}`, value: `bv-${i}` });
  }
  await withTimeout(p.send({ topic: topicB, acks: -1, messages }), 'produce to topic B');
  await close(p);

  const total = () => members[0].got.length + members[1].got.length;
  await until(() => total() >= N, `${N} records over two members`);
  for (const m of members) {
    for (const r of m.got) {
      check(m.assigned.includes(r.partition),
        `partition ${r.partition} record went to a member assigned ${m.assigned}`);
    }
  }
  const all = [...members[0].got, ...members[1].got].sort(byPosition)
    .map((r) => [r.partition, r.offset, r.key, r.value]);
  const want = messages.map((m, i) => [m.partition, String(Math.floor(i / PARTITIONS)), m.key,
    m.value]).sort((x, y) => x[0] - y[0] || Number(x[1]) - Number(y[1]));
  eq(all, want, 'records seen by the two members together, each exactly once');
  for (const c of consumers) await close(c);
  step(`split: ${N} records, ${members[0].got.length} + ${members[1].got.length}, each once`);
}

async function resume(a) {
  const group = `kjs-resume-${RUN}`;
  // 1. Read everything, commit p0 at 2 and the other partitions at their ends.
  const c1 = await connected(newConsumer(kafka, group));
  await c1.subscribe({ topic: topicA, fromBeginning: true });
  await consumeUntil(c1, () => expectedA.length, 'resume: first read');
  const committed = [
    { topic: topicA, partition: 0, offset: '2' },
    { topic: topicA, partition: 1, offset: String(nextOffset[1]) },
    { topic: topicA, partition: 2, offset: String(nextOffset[2]) },
  ];
  await withTimeout(c1.commitOffsets(committed), 'commitOffsets');
  await close(c1);
  const fetched = await withTimeout(a.fetchOffsets({ groupId: group, topics: [topicA] }),
    'fetchOffsets');
  eq(fetched.map((t) => [t.topic, t.partitions.map((x) => [x.partition, x.offset])
    .sort((x, y) => x[0] - y[0])]),
  [[topicA, committed.map((x) => [x.partition, x.offset])]], 'fetchOffsets after commit');
  step(`resume: committed ${JSON.stringify(committed.map((x) => [x.partition, x.offset]))}`);

  // 2. One marker per partition, then restart in the same group: exactly the
  //    records after the committed offsets, then the markers.
  const p = await connected(newProducer(kafka));
  await produceA(p, 30, 33, { acks: -1 }, 'resume: markers');
  await close(p);
  const resumeFrom = [2, Number(committed[1].offset), Number(committed[2].offset)];
  const want = expectedA.filter((r) => Number(r.offset) >= resumeFrom[r.partition])
    .sort(byPosition);
  const c2 = await connected(newConsumer(kafka, group));
  await c2.subscribe({ topic: topicA, fromBeginning: true });
  const got = await consumeUntil(c2, () => want.length, 'resume: restarted consumer');
  await close(c2);
  eq(got, want, 'records after a restart in the same group');
  step(`resume: restarted consumer got exactly the ${got.length} records after the commits`);

  // 3. setOffsets and resetOffsets (no member running). Each runs a consumer
  //    inside kafkajs that idles for its default maxWaitTimeInMs (5 s) with the
  //    topic paused: two calls only. resetOffsets commits -2, which the server
  //    stores as the log start offset (docs/kafka.md, OffsetCommit).
  await withTimeout(a.setOffsets({ groupId: group, topic: topicA,
    partitions: [{ partition: 0, offset: '1' }, { partition: 1, offset: '4' },
      { partition: 2, offset: '0' }] }), 'setOffsets');
  let off = await withTimeout(a.fetchOffsets({ groupId: group, topics: [topicA] }),
    'fetchOffsets after setOffsets');
  eq(off[0].partitions.map((x) => [x.partition, x.offset]).sort(),
    [[0, '1'], [1, '4'], [2, '0']], 'fetchOffsets after setOffsets');
  await withTimeout(a.resetOffsets({ groupId: group, topic: topicA, earliest: true }),
    'resetOffsets earliest');
  off = await withTimeout(a.fetchOffsets({ groupId: group, topics: [topicA] }),
    'fetchOffsets after resetOffsets');
  eq(off[0].partitions.map((x) => [x.partition, x.offset]).sort(),
    [[0, '0'], [1, '0'], [2, '0']], 'fetchOffsets after resetOffsets earliest');
  const c3 = await connected(newConsumer(kafka, group));
  await c3.subscribe({ topic: topicA });
  const again = await consumeUntil(c3, () => expectedA.length, 'resume: after resetOffsets');
  await close(c3);
  eq(again, [...expectedA].sort(byPosition), 'records after resetOffsets earliest');
  step('resume: setOffsets, resetOffsets earliest and fetchOffsets agree; re-read all');
}

async function sasl() {
  const username = process.env.KAFKAJS_SASL_USER;
  const password = process.env.KAFKAJS_SASL_PASSWORD;
  if (!username) {
    step('sasl: skipped (no KAFKAJS_SASL_USER)');
    return;
  }
  const k = client('sasl', { sasl: { mechanism: 'plain', username, password } });
  const a = await connected(k.admin());
  const topic = `kjs-sasl-${RUN}`;
  await withTimeout(a.createTopics({ topics: [{ topic, numPartitions: 1 }] }),
    'createTopics over SASL');
  const p = await connected(newProducer(k));
  const meta = await withTimeout(p.send({ topic, acks: -1,
    messages: [{ key: 'sk', value: 'over-sasl', headers: { who: username } }] }),
  'produce over SASL');
  eq(meta.map((r) => [r.partition, r.errorCode, String(r.baseOffset)]), [[0, 0, '0']],
    'produce over SASL');
  await close(p);
  const c = await connected(newConsumer(k, `kjs-sasl-${RUN}`));
  await c.subscribe({ topic, fromBeginning: true });
  const got = await consumeUntil(c, () => 1, 'consume over SASL');
  await close(c);
  eq(got, [{ topic, partition: 0, offset: '0', key: 'sk', value: 'over-sasl',
    headers: { who: username } }], 'record consumed over SASL');
  await withTimeout(a.deleteTopics({ topics: [topic] }), 'deleteTopics over SASL');
  await close(a);
  step(`sasl: PLAIN as ${username}: create, produce, consume, delete`);

  const bad = client('sasl-bad', {
    sasl: { mechanism: 'plain', username, password: `${password}-wrong` },
    retry: { retries: 0 },
  });
  const ba = bad.admin();
  let err = null;
  try {
    await withTimeout(ba.connect(), 'connect with a wrong password');
  } catch (e) {
    err = e;
  }
  await ba.disconnect().catch(() => {});
  check(err && /SASL|authentic/i.test(`${err.name} ${err.message}`),
    `a wrong password must be refused, got ${err ? `${err.name}: ${err.message}` : 'success'}`);
  step(`sasl: a wrong password is refused (${err.name})`);
}

async function deleteTopics(a) {
  await withTimeout(a.deleteTopics({ topics: [topicA, topicB] }), 'deleteTopics');
  const list = await withTimeout(a.listTopics(), 'listTopics after delete');
  check(!list.includes(topicA) && !list.includes(topicB), `listTopics after delete: ${list}`);
  step('delete: deleteTopics removed both topics');
}

async function main() {
  const a = await admin();
  await produce();
  await consumeAll(a);
  await split(a);
  await resume(a);
  await sasl();
  await deleteTopics(a);
  await close(a);
}

try {
  await main();
  clearTimeout(watchdog);
  console.log('kafkajs: all steps passed');
  process.exit(0);
} catch (e) {
  console.error(`FAIL: ${e.stack || e}`);
  await withTimeout(Promise.allSettled(open.map((t) => t.disconnect())), 'cleanup', 3000)
    .catch(() => {});
  process.exit(1);
}
