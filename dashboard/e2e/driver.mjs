// Drives the dashboard in Debian's Chromium with playwright-core, one step
// per command, for tests/e2e/test_29_dashboard.py (which starts the server
// and does the MQTT side between steps).
//
// Protocol: one JSON object per line on stdin, {"step": name, ...args}; one
// JSON line on stdout per command, {"ok": true, "result": ...} or
// {"ok": false, "error": "..."}. EOF on stdin closes the browser.
// Env: BASE_URL (the admin port), SCREENSHOT_DIR, CHROMIUM (default
// /usr/bin/chromium).
import { chromium } from 'playwright-core';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import readline from 'node:readline';

const BASE = process.env.BASE_URL;
const SHOTS = process.env.SCREENSHOT_DIR;
const TIMEOUT = 15000;
if (!BASE || !SHOTS) {
  console.error('BASE_URL and SCREENSHOT_DIR are required');
  process.exit(2);
}
mkdirSync(SHOTS, { recursive: true });

// A fresh profile each run; without the background-networking flags
// Chromium keeps calling Google services, which a closed network punishes.
const profile = mkdtempSync(join(tmpdir(), 'robust-dash-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
  viewport: { width: 1280, height: 860 },
});
context.setDefaultTimeout(TIMEOUT);
const page = context.pages()[0] ?? (await context.newPage());
const consoleErrors = [];
page.on('pageerror', (e) => consoleErrors.push(String(e)));

const shot = (name) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
const url = (path) => new URL(path, BASE).toString();

async function statValue(testId) {
  const t = await page.getByTestId(testId).textContent();
  return Number(String(t).replace(/[^0-9.]/g, ''));
}

/** Waits until the page's own refresh shows stat >= min (no reload). */
async function waitStat(testId, min) {
  const deadline = Date.now() + 20000;
  let v = NaN;
  while (Date.now() < deadline) {
    v = await statValue(testId);
    if (v >= min) return v;
    await page.waitForTimeout(250);
  }
  throw new Error(`${testId} stayed at ${v}, expected >= ${min}`);
}

async function confirm() {
  await page.getByTestId('confirm-button').click();
}

async function search(text) {
  await page.getByLabel('search').fill(text);
}

const steps = {
  async open_root() {
    const res = await page.goto(url('/'));
    await page.waitForURL('**/login');
    await shot('login');
    return { status: res.status(), url: page.url() };
  },

  async login({ username, password }) {
    await page.goto(url('/login'));
    await page.getByLabel('User name').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const error = page.getByTestId('login-error');
    await error.or(page.getByTestId('current-user')).waitFor();
    if (await error.isVisible()) return { error: await error.textContent() };
    return { user: await page.getByTestId('current-user').textContent() };
  },

  async overview() {
    await page.goto(url('/'));
    await page.getByTestId('stat-connections').waitFor();
    return {
      connections: await statValue('stat-connections'),
      total_in: await statValue('total-in'),
      uptime: await page.getByTestId('uptime').textContent(),
      version: await page.getByTestId('version').textContent(),
    };
  },

  async wait_stat({ test_id, min }) {
    return { value: await waitStat(test_id, min) };
  },

  async create_user({ username, password }) {
    await page.goto(url('/users'));
    await page.getByRole('button', { name: 'Create user' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('User name').fill(username);
    await dialog.getByLabel('Password').fill(password);
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await search(username);
    await page.getByRole('cell', { name: username, exact: true }).waitFor();
    await shot('users');
    return {};
  },

  async create_user_error({ username, password }) {
    // A duplicate: the API's 409 message is shown in the dialog.
    await page.goto(url('/users'));
    await page.getByRole('button', { name: 'Create user' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('User name').fill(username);
    await dialog.getByLabel('Password').fill(password);
    await dialog.getByRole('button', { name: 'Create user' }).click();
    const alert = dialog.getByTestId('error-alert');
    await alert.waitFor();
    const text = await alert.textContent();
    await page.keyboard.press('Escape');
    return { error: text };
  },

  async create_acl({ name, username, topic, action, permission }) {
    await page.goto(url('/acls'));
    await page.getByRole('button', { name: 'Create rule' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: /^Name/ }).fill(name);
    await dialog.getByLabel('Priority (lower first)').fill('1');
    await dialog.getByRole('textbox', { name: 'Applies to' }).click();
    await page.getByRole('option', { name: 'username', exact: true }).click();
    await dialog.getByLabel('Client id / user name').fill(username);
    await dialog.getByLabel('Topic filter').fill(topic);
    await dialog.getByRole('textbox', { name: 'Action' }).click();
    await page.getByRole('option', { name: action, exact: true }).click();
    await dialog.getByRole('textbox', { name: 'Permission' }).click();
    await page.getByRole('option', { name: permission, exact: true }).click();
    await dialog.getByRole('button', { name: 'Create rule' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('cell', { name, exact: true }).waitFor();
    return {};
  },

  async acl_check({ client_id, username, topic }) {
    await page.goto(url('/acls'));
    await page.getByRole('textbox', { name: /^Client id( \*)?$/ }).fill(client_id);
    await page.getByRole('textbox', { name: /^User name$/ }).fill(username);
    await page.getByRole('textbox', { name: /^Topic( \*)?$/ }).fill(topic);
    await page.getByRole('button', { name: 'Check' }).click();
    const d = page.getByTestId('acl-decision');
    await d.waitFor();
    await shot('acl-tester');
    return { decision: await d.textContent() };
  },

  async browse({ topic, expect }) {
    await page.goto(url('/topics'));
    await search(topic);
    await page.getByRole('cell', { name: topic, exact: true }).click();
    await page.waitForURL(`**/topics/${encodeURIComponent(topic)}`);
    const preview = page.getByTestId('message-preview').filter({ hasText: expect }).first();
    await preview.waitFor();
    await preview.click();
    const payload = page.getByTestId('payload').first();
    await payload.waitFor();
    const json = await payload.textContent();
    await page.getByText('Hex', { exact: true }).first().click();
    await page.waitForFunction(
      () => /^00000000 /.test(document.querySelector('[data-testid=payload]')?.textContent ?? ''),
    );
    const hex = await page.getByTestId('payload').first().textContent();
    await shot('topic-detail');
    return { json, hex, previews: await page.getByTestId('message-preview').allTextContents() };
  },

  async create_topic({ name, partitions }) {
    await page.goto(url('/topics'));
    await page.getByRole('button', { name: 'Create topic' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: /^Name/ }).fill(name);
    await dialog.getByLabel('Partitions').fill(String(partitions));
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await search(name);
    await page.getByRole('cell', { name, exact: true }).waitFor();
    return {};
  },

  async delete_topic({ name }) {
    await page.goto(url('/topics'));
    await search(name);
    await page.getByRole('button', { name: `delete topic ${name}` }).click();
    await confirm();
    await page.getByTestId('empty-state').waitFor();
    return {};
  },

  async kick({ client_id }) {
    await page.goto(url('/clients'));
    await search(client_id);
    await page.getByTestId('table').getByRole('cell', { name: client_id, exact: true }).click();
    await page.getByRole('button', { name: 'Kick client' }).waitFor();
    await page.waitForTimeout(400); // the drawer's opening transition
    await shot('client-detail');
    await page.getByRole('button', { name: 'Kick client' }).click();
    await confirm();
    await page
      .getByTestId('table')
      .getByRole('cell', { name: client_id, exact: true })
      .waitFor({ state: 'detached' });
    return {};
  },

  async kafka_group({ group }) {
    await page.goto(url('/kafka-groups'));
    await search(group);
    const row = page.getByTestId('table').getByRole('row').filter({ hasText: group });
    await row.waitFor();
    const cells = await row.getByRole('cell').allTextContents();
    await row.click();
    const drawer = page.getByRole('dialog');
    await drawer.getByText('Offsets and lag').waitFor();
    await drawer.getByRole('cell', { name: 'Lag' }).or(drawer.getByText('Lag')).first().waitFor();
    const offsets = await drawer.getByRole('table').last().getByRole('row').allTextContents();
    await page.waitForTimeout(400); // the drawer's opening transition
    await shot('kafka-group-detail');
    return { cells, offsets, text: await drawer.textContent() };
  },

  async screenshots() {
    const pages = {
      overview: ['/', 'stat-connections'],
      clients: ['/clients', 'total'],
      sessions: ['/sessions', 'total'],
      subscriptions: ['/subscriptions', 'total'],
      topics: ['/topics', 'total'],
      retained: ['/retained', 'total'],
      users: ['/users', 'total'],
      acls: ['/acls', 'total'],
      blacklist: ['/blacklist', 'total'],
      'kafka-groups': ['/kafka-groups', 'total'],
      config: ['/config', null],
      pubsub: ['/pubsub', null],
    };
    const taken = [];
    for (const [name, [path, testId]] of Object.entries(pages)) {
      await page.goto(url(path));
      if (testId) await page.getByTestId(testId).first().waitFor();
      else await page.getByRole('heading', { level: 2 }).first().waitFor();
      await page.waitForTimeout(300);
      // Errors from the API would show as alerts: none on a healthy server.
      const alerts = await page.getByTestId('error-alert').count();
      if (alerts) throw new Error(`${path} shows an error: ${await page.getByTestId('error-alert').first().textContent()}`);
      await shot(name);
      taken.push(name);
    }
    // Dark or light follows the system's preference.
    const background = async (scheme) => {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(url('/'));
      await page.getByTestId('stat-connections').waitFor();
      await page.waitForTimeout(200);
      return page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    };
    const dark = await background('dark');
    await shot('overview-dark');
    taken.push('overview-dark');
    const light = await background('light');
    return { taken, dark, light };
  },

  async publish_ui({ topic, payload }) {
    await page.goto(url('/pubsub'));
    await page.getByRole('textbox', { name: 'Topic', exact: true }).fill(topic);
    await page.getByLabel('Payload (text)').fill(payload);
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByTestId('message-preview').filter({ hasText: payload }).first().waitFor();
    await shot('pubsub');
    return {};
  },

  async config_set({ key, value }) {
    await page.goto(url('/config'));
    await page.getByRole('textbox', { name: key }).click();
    await page.getByRole('option', { name: value, exact: true }).click();
    await page.getByRole('button', { name: 'Apply' }).first().click();
    await page.getByText(`${key} = ${value}`).waitFor();
    return {};
  },

  async expire() {
    // A revoked or expired token: the next request gets 401 and the app
    // returns to the login page saying why.
    await page.evaluate(() => sessionStorage.setItem('robustmq.token', 'not-a-valid-token'));
    await page.goto(url('/clients'));
    await page.getByTestId('expired').waitFor();
    await shot('expired');
    return { url: page.url() };
  },

  async logout() {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL('**/login');
    return { token: await page.evaluate(() => sessionStorage.getItem('robustmq.token')) };
  },

  async page_errors() {
    return { errors: consoleErrors };
  },
};

const rl = readline.createInterface({ input: process.stdin });
for await (const line of rl) {
  if (!line.trim()) continue;
  let cmd;
  try {
    cmd = JSON.parse(line);
    const fn = steps[cmd.step];
    if (!fn) throw new Error(`unknown step ${cmd.step}`);
    const result = await fn(cmd);
    process.stdout.write(JSON.stringify({ ok: true, result }) + '\n');
  } catch (e) {
    try {
      await shot(`failed-${cmd?.step ?? 'unknown'}`);
    } catch {
      // the screenshot is a courtesy
    }
    process.stdout.write(JSON.stringify({ ok: false, error: String(e?.stack ?? e) }) + '\n');
  }
}
await context.close();
rmSync(profile, { recursive: true, force: true });
