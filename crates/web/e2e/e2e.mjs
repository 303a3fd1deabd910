// End-to-end test of confab's web client in headless Chromium (playwright-core):
// two browser contexts are two people. Run by .ci/web-e2e.sh against a scratch
// server: `CONFAB_BASE=http://127.0.0.1:PORT node e2e.mjs`.
//
// Every page gets an axe-core check (no serious or critical violation) and
// screenshots at 1280 and 360 px wide under $ARTIFACTS (default
// target/ci-artifacts/web). The figures (time to first message) go to
// $ARTIFACTS/results.json.

import { chromium } from 'playwright-core';
import { readFileSync, mkdirSync, mkdtempSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { gzipSync, deflateSync, crc32 } from 'node:zlib';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';

const base = process.env.CONFAB_BASE ?? 'http://127.0.0.1:8080';
const artifacts = process.env.ARTIFACTS ?? new URL('../../../target/ci-artifacts/web/', import.meta.url).pathname;
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WIDE = { width: 1280, height: 800 };
const NARROW = { width: 360, height: 740 };
const WAIT = { timeout: 10_000 };
// The server's outbox directory (CONFAB_MAIL_DIR) and binary, for the mail links
// and for a second, invite-only server this test starts itself.
const mailDir = process.env.CONFAB_MAIL_DIR;
const binary = process.env.CONFAB_BINARY;
mkdirSync(artifacts, { recursive: true });

const run = Date.now().toString(36);
const results = { base, assets: assetSizes(), steps: [], axe: {}, screenshots: [] };
console.log(`[web-e2e] assets embedded in the binary: ${results.assets.files} files, ${results.assets.bytes} bytes (${results.assets.gzip_bytes} gzipped)`);

/** What the binary embeds: every file under ../assets but the type declarations (as build.rs). */
function assetSizes() {
  const root = new URL('../assets/', import.meta.url).pathname;
  let files = 0;
  let bytes = 0;
  let gzipBytes = 0;
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name.endsWith('.d.ts')) continue;
    const content = readFileSync(`${entry.parentPath}/${entry.name}`);
    files += 1;
    bytes += content.length;
    gzipBytes += gzipSync(content, { level: 9 }).length;
  }
  return { files, bytes, gzip_bytes: gzipBytes };
}
/** Problems seen in the browsers that fail the run at the end (CSP violations, uncaught errors). */
const problems = [];

function step(name) {
  console.log(`[web-e2e] ${name}`);
  results.steps.push(name);
}

/** Runs axe-core on the page; fails on any serious or critical violation. */
async function axe(page, name) {
  // evaluate() runs outside the page's CSP, which (rightly) refuses injected scripts.
  await page.evaluate(axeSource);
  const found = await page.evaluate(async () => {
    const result = await globalThis.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  });
  results.axe[name] = found;
  const bad = found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad, [], `axe on ${name}: ${JSON.stringify(bad, null, 2)}`);
}

/** Screenshots the page at both widths (then back to wide), with `show` (a locator) scrolled into view. */
async function shoot(page, name, show = null) {
  for (const [label, size] of [['1280', WIDE], ['360', NARROW]]) {
    await page.setViewportSize(size);
    await page.waitForTimeout(150);
    if (show) await show.scrollIntoViewIfNeeded();
    const file = `${artifacts}/${name}-${label}.png`;
    await page.screenshot({ path: file });
    results.screenshots.push(`${name}-${label}.png`);
  }
  await page.setViewportSize(WIDE);
}

/** Checks and records a page: accessibility at both widths, screenshots (showing `show`, a locator). */
async function review(page, name, show = null) {
  await axe(page, `${name}@1280`);
  await page.setViewportSize(NARROW);
  await axe(page, `${name}@360`);
  await page.setViewportSize(WIDE);
  await shoot(page, name, show);
}

function watch(page, who) {
  page.on('console', (message) => {
    const text = message.text();
    if (/Content Security Policy|Refused to/.test(text)) problems.push(`${who}: ${text}`);
  });
  page.on('pageerror', (error) => problems.push(`${who}: uncaught ${error.message}`));
}

async function register(page, username) {
  await page.goto(`${base}/`);
  await page.waitForURL('**/login');
  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.waitForURL('**/register');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Email').fill(`${username}@example.com`);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByLabel('Display name').fill(username.replace(/_.*/, '').replace(/^./, (c) => c.toUpperCase()));
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL('**/chats');
}

/** The chat list row whose title is `title`. */
const row = (page, title) => page.locator('.chat-list li', { has: page.locator('.row-title', { hasText: title }) });
/** The message bubbles in the open chat. */
const bubbles = (page) => page.locator('.messages li.message:not(.pending)');
/** The stored messages whose own text (not a quote of another) holds `text`. */
const bubble = (page, text) => bubbles(page).filter({ has: page.locator('.body', { hasText: text }) });

async function send(page, text) {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByLabel('Message', { exact: true }).press('Enter');
}

/** A `width` × `height` PNG (RGB, a gradient), for uploads. */
function png(width, height) {
  const chunk = (type, data) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bits per channel
  header[9] = 2; // RGB
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y += 1) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x += 1) {
      rows[row + 1 + x * 3] = (x * 255) / width;
      rows[row + 2 + x * 3] = (y * 255) / height;
      rows[row + 3 + x * 3] = 160;
    }
  }
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

/** Whether an image shows a `blob:` URL (a file fetched with the token), waiting for it. */
async function showsBlob(image) {
  await image.waitFor(WAIT);
  assert.match(await image.getAttribute('src'), /^blob:/);
}

/** Signs in over the API (not the browser) and returns a bearer token. */
async function apiLogin(login, server = base) {
  const response = await fetch(`${server}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login, password: 'correct horse battery', device_name: 'e2e script' }),
  });
  assert.equal(response.status, 200);
  return (await response.json()).tokens.access_token;
}

async function api(token, method, path, body, server = base) {
  const response = await fetch(`${server}/api/v1${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${await response.clone().text()}`);
  return response.status === 204 ? null : response.json();
}

/**
 * The path and query (`/reset-password?token=…`) of the newest link to `page` in
 * a mail to `address` in the outbox `dir`, waiting up to 10 s for it (after
 * `after`, a list of the mail files seen before). The link's origin is the
 * server's CONFAB_PUBLIC_URL; the test opens the path on its own server.
 */
async function mailedLink(dir, address, page, after = []) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.eml') && !after.includes(f)).sort().reverse() : [];
    for (const file of files) {
      // Undo quoted-printable soft breaks and `=3D`, enough to read the link.
      const mail = readFileSync(`${dir}/${file}`, 'utf8').replace(/=\r?\n/g, '').replaceAll('=3D', '=');
      const to = mail.split(/\r?\n/).find((line) => line.startsWith('To: ')) ?? '';
      const link = mail.match(new RegExp(`/${page}\\?token=[0-9a-f]+`));
      if (to.includes(address) && link) return link[0];
    }
    assert.ok(Date.now() < deadline, `no ${page} mail to ${address} in ${dir}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The mail files in `dir` now. */
const mailFiles = (dir) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.eml')) : []);

/** A free TCP port on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts another confab on a scratch SQLite database with `CONFAB_REGISTRATION`
 * = `registration` and an admin made by `confab admin create-user`; returns its
 * base URL, the admin's username, its outbox directory and a stop function.
 */
async function startServer(registration) {
  const dir = mkdtempSync(`${tmpdir()}/confab-web-e2e-${registration}-`);
  const port = await freePort();
  const env = { ...process.env, DATABASE_URL: `sqlite://${dir}/confab.db?mode=rwc`, CONFAB_BIND: `127.0.0.1:${port}`,
    CONFAB_JWT_SECRET: randomBytes(32).toString('hex'), CONFAB_REGISTRATION: registration, CONFAB_AUTH_RATE_PER_MINUTE: '0',
    CONFAB_SEND_RATE_PER_SECOND: '0', CONFAB_MAIL_DIR: `${dir}/mail`, RUST_LOG: 'warn', NO_COLOR: '1' };
  delete env.CONFAB_REDIS_URL;
  const admin = `root_${run}`;
  const made = spawnSync(binary, ['admin', 'create-user', admin, '--email', `${admin}@example.com`, '--admin'],
    { env, cwd: dir, input: 'correct horse battery\n', encoding: 'utf8' });
  assert.equal(made.status, 0, `confab admin create-user: ${made.stderr}`);
  const server = spawn(binary, ['serve'], { env, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  server.stderr.on('data', (chunk) => { log += chunk; });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch { /* not up yet */ }
    assert.ok(Date.now() < deadline && server.exitCode === null, `the ${registration} server did not start: ${log}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { url, admin, mail: `${dir}/mail`, stop: () => server.kill('SIGTERM') };
}

const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
try {
  const alice = `alice_${run}`;
  const bob = `bob_${run}`;
  const contextA = await browser.newContext({ viewport: WIDE });
  const contextB = await browser.newContext({ viewport: WIDE });
  const a = await contextA.newPage();
  const b = await contextB.newPage();
  watch(a, 'alice');
  watch(b, 'bob');

  step('the sign-in and register pages');
  await a.goto(`${base}/`);
  await a.waitForURL('**/login');
  const csp = (await a.request.get(`${base}/login`)).headers()['content-security-policy'];
  assert.ok(csp && csp.includes("script-src 'self'") && !csp.includes('unsafe'), `CSP: ${csp}`);
  // Files are shown through blob: URLs (fetched with the token), and from nowhere else.
  assert.ok(csp.includes("img-src 'self' blob:;"), `CSP: ${csp}`);
  await review(a, 'sign-in');
  await a.getByRole('link', { name: 'Create an account' }).click();
  await review(a, 'register');

  step('two people register');
  await register(a, alice);
  await register(b, bob);
  await a.getByText('No chats yet').waitFor(WAIT);
  await review(a, 'chat-list-empty');

  step('alice finds bob and opens a direct chat');
  await a.getByRole('link', { name: 'New chat' }).click();
  await a.getByLabel('Find a person').fill(bob.slice(0, 8));
  await a.getByRole('button', { name: `Message ${bob}` }).click();
  await a.waitForURL('**/chats/*');
  await a.getByRole('heading', { name: 'Bob' }).waitFor(WAIT);

  step('bob sees the new chat live and opens it');
  await row(b, 'Alice').waitFor(WAIT);
  await row(b, 'Alice').getByRole('link').click();
  await b.getByRole('heading', { name: 'Alice' }).waitFor(WAIT);

  step('typing shows on the other side');
  await a.getByLabel('Message', { exact: true }).pressSequentially('Hel');
  await b.getByText('Alice is typing…').waitFor(WAIT);

  step('a message appears live on the other side');
  const sentAt = Date.now();
  await a.getByLabel('Message', { exact: true }).fill('Hello Bob <b>not bold</b>');
  await a.getByLabel('Message', { exact: true }).press('Enter');
  await bubble(b, 'Hello Bob <b>not bold</b>').waitFor(WAIT);
  results.time_to_first_message_ms = Date.now() - sentAt;
  // User content is text, never markup.
  assert.equal(await b.locator('.messages b').count(), 0);

  step('read ticks move when bob has read it');
  await a.locator('.message.mine .ticks[data-state="read"]').first().waitFor(WAIT);
  await review(a, 'direct-chat');

  step('bob replies; alice sees the reply with its quote');
  await bubble(b, 'Hello Bob').getByRole('button', { name: 'Reply to this message' }).click();
  await send(b, 'Hi Alice!');
  const reply = bubble(a, 'Hi Alice!');
  await reply.waitFor(WAIT);
  assert.match(await reply.locator('.quote').innerText(), /Hello Bob/);

  step('alice edits and deletes; bob sees both');
  await send(a, 'Typo here');
  await bubble(b, 'Typo here').waitFor(WAIT);
  await bubble(a, 'Typo here').getByRole('button', { name: 'Edit this message' }).click();
  // The composer takes the message's text in an effect after the click's render;
  // typing before that would be overwritten by it (a flake seen once in CI).
  const composer = await a.getByLabel('Message', { exact: true }).elementHandle();
  await a.waitForFunction((input) => input instanceof HTMLTextAreaElement || input instanceof HTMLInputElement
    ? input.value === 'Typo here' : false, composer, WAIT);
  await a.getByLabel('Message', { exact: true }).fill('Fixed text');
  await a.getByLabel('Message', { exact: true }).press('Enter');
  await bubble(b, 'Fixed text').filter({ hasText: 'edited' }).waitFor(WAIT);
  a.once('dialog', (dialog) => dialog.accept());
  await bubble(a, 'Fixed text').getByRole('button', { name: 'Delete this message' }).click();
  await bubble(b, 'Message deleted').waitFor(WAIT);

  step('unread counts and live reordering in the chat list');
  await b.getByRole('link', { name: 'New chat' }).click();
  await send(a, 'Are you there?');
  await row(b, 'Alice').locator('.badge', { hasText: '1' }).waitFor(WAIT);
  await review(b, 'new-chat');
  await row(b, 'Alice').getByRole('link').click();
  await bubble(b, 'Are you there?').waitFor(WAIT);
  await b.waitForFunction(() => !document.querySelector('.chat-list .badge'), null, WAIT);

  step('a reload keeps the session, the chat and its history');
  await a.reload();
  await bubble(a, 'Hi Alice!').waitFor(WAIT);
  await bubble(a, 'Hello Bob').waitFor(WAIT);
  assert.match(a.url(), /\/chats\/[0-9a-f-]+$/);

  step('offline and back: messages sent meanwhile appear without a reload, a send made offline goes once');
  await contextA.setOffline(true);
  await a.getByText('Connection lost — reconnecting…').waitFor(WAIT);
  await send(b, 'While you were away 1');
  await send(b, 'While you were away 2');
  await bubble(b, 'While you were away 2').waitFor(WAIT);
  await send(a, 'Sent while offline');
  await a.locator('.message.pending', { hasText: 'Sent while offline' }).waitFor(WAIT);
  await a.waitForTimeout(500);
  assert.equal(await bubble(a, 'While you were away').count(), 0, 'nothing arrives while offline');
  await shoot(a, 'reconnecting');
  await contextA.setOffline(false);
  await bubble(a, 'While you were away 1').waitFor(WAIT);
  await bubble(a, 'While you were away 2').waitFor(WAIT);
  await bubble(b, 'Sent while offline').waitFor(WAIT);
  await a.getByText('Connection lost — reconnecting…').waitFor({ state: 'detached', ...WAIT });
  await a.waitForTimeout(500);
  assert.equal(await bubble(b, 'Sent while offline').count(), 1, 'the offline send is stored once');
  assert.equal(await a.locator('.message.pending').count(), 0);

  step('disappearing messages: alice sets a time to live, bob sees it');
  await a.getByRole('button', { name: 'Settings' }).click();
  await a.getByLabel('Disappearing messages').selectOption({ label: '1 day' });
  await b.getByText('Messages disappear after 1 day').waitFor(WAIT);

  step('scroll-back loads older messages with before=');
  const bobToken = await apiLogin(bob);
  const directId = b.url().split('/').pop();
  for (let i = 1; i <= 60; i += 1) await api(bobToken, 'POST', `/chats/${directId}/messages`, { body: `Backlog ${i}`, client_message_id: `backlog-${run}-${i}` });
  await bubble(a, 'Backlog 60').waitFor(WAIT);
  await a.reload();
  await bubble(a, 'Backlog 60').waitFor(WAIT);
  assert.equal(await bubble(a, 'Hello Bob').count(), 0, 'the first page is only the newest messages');
  // Scrolling to the top loads the page before (the button does the same by keyboard).
  await a.getByRole('button', { name: 'Load older messages' }).waitFor(WAIT);
  await a.locator('.messages').evaluate((list) => { list.scrollTop = 0; });
  await bubble(a, 'Hello Bob').waitFor(WAIT);
  await a.getByText('The beginning of this chat').waitFor(WAIT);

  step('a group with roles');
  await a.getByRole('link', { name: 'New chat' }).click();
  await a.getByLabel('Group name').fill('Project team');
  await a.getByLabel('Add members').fill(bob.slice(0, 8));
  await a.getByRole('button', { name: `Add ${bob}` }).click();
  await a.getByRole('button', { name: 'Create group' }).click();
  await a.getByRole('heading', { name: 'Project team' }).waitFor(WAIT);
  await row(b, 'Project team').waitFor(WAIT);
  await send(a, 'Welcome to the team');
  await row(b, 'Project team').getByRole('link').click();
  await bubble(b, 'Welcome to the team').locator('.author', { hasText: 'Alice' }).waitFor(WAIT);
  await a.getByRole('button', { name: 'Members' }).click();
  await a.getByLabel('Role of Bob').selectOption('admin');
  await b.getByRole('button', { name: 'Members' }).click();
  await b.locator('.member', { hasText: 'Bob' }).locator('.role', { hasText: 'admin' }).waitFor(WAIT);
  // An admin may rename the group; the owner sees the new name live.
  await b.getByLabel('Group name').fill('Project team 2');
  await b.getByRole('button', { name: 'Rename' }).click();
  await a.getByRole('heading', { name: 'Project team 2' }).waitFor(WAIT);
  await review(a, 'group-members');

  step('live reordering: the chat with the latest entry comes first');
  const firstRow = () => b.locator('.chat-list li .row-title').first().innerText();
  assert.equal(await firstRow(), 'Project team 2');
  await api(bobToken, 'POST', `/chats/${directId}/messages`, { body: 'Back to the direct chat', client_message_id: `reorder-${run}` });
  await b.waitForFunction(() => document.querySelector('.chat-list li .row-title')?.textContent === 'Alice', null, WAIT);

  step('profile');
  await a.getByRole('link', { name: 'Profile' }).click();
  await a.getByLabel('Bio', { exact: true }).fill('Writes the tests.');
  await a.getByRole('button', { name: 'Save profile' }).click();
  await a.getByText('Saved.').waitFor(WAIT);

  step('a picture: alice uploads one and removes it, then sets another; bob sees it in the list, the header and the members');
  await a.getByLabel('Choose a picture').setInputFiles({ name: 'alice.png', mimeType: 'image/png', buffer: png(400, 300) });
  await showsBlob(a.locator('.picture img.avatar'));
  const firstPicture = await a.locator('.picture img.avatar').getAttribute('src');
  // Whether an object URL was revoked, loaded as an image (the CSP's connect-src
  // keeps fetch away from blob: URLs).
  const revoked = (src) => new Promise((resolve) => {
    const image = new Image();
    image.onload = () => resolve(false);
    image.onerror = () => resolve(true);
    image.src = src;
  });
  assert.equal(await a.evaluate(revoked, firstPicture), false, 'a shown picture loads');
  await a.getByRole('button', { name: 'Remove picture' }).click();
  await a.locator('.picture [data-avatar="initials"]').waitFor(WAIT);
  // Shown nowhere any more, its object URL is revoked (after a short grace).
  await a.waitForFunction(revoked, firstPicture, WAIT);
  await a.getByLabel('Choose a picture').setInputFiles({ name: 'alice-2.png', mimeType: 'image/png', buffer: png(300, 300) });
  await showsBlob(a.locator('.picture img.avatar'));
  // Why blob: URLs: the file route wants the token, which an <img src> cannot send.
  const avatarUrl = await a.evaluate(async () => (await import('/web/store.js')).state.me?.avatar_url);
  assert.match(avatarUrl, /^\/api\/v1\/files\/.+\/thumbnail$/);
  assert.equal((await a.request.get(`${base}${avatarUrl}`)).status(), 401);
  await review(a, 'profile');
  // Bob's client fetched Alice's profile before she had a picture: a reload shows it.
  await b.goto(`${base}/chats/${directId}`);
  await showsBlob(row(b, 'Alice').locator('img.avatar'));
  await showsBlob(b.locator('.chat-header img.avatar'));
  await row(b, 'Project team 2').getByRole('link').click();
  await b.getByRole('button', { name: 'Members' }).click();
  await showsBlob(b.locator('.member', { hasText: 'Alice' }).locator('img.avatar'));
  await b.locator('.member', { hasText: 'Bob' }).locator('[data-avatar="initials"]').waitFor(WAIT);

  step('files: alice sends an image and a PDF; bob sees the thumbnail, opens the image and downloads the PDF');
  await a.goto(`${base}/chats/${directId}`);
  // The Attach button is the file input itself, so the keyboard reaches it (just before the text).
  await a.getByLabel('Message', { exact: true }).focus();
  await a.keyboard.press('Shift+Tab');
  assert.equal(await a.evaluate(() => document.activeElement?.getAttribute('type')), 'file');
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n', 'latin1');
  await a.getByLabel('Attach files').setInputFiles([
    { name: 'photo.png', mimeType: 'image/png', buffer: png(640, 480) },
    { name: 'notes.pdf', mimeType: 'application/pdf', buffer: pdf },
  ]);
  await a.locator('.chips.files li[data-state="ready"]').nth(1).waitFor(WAIT);
  await review(a, 'composer-files', a.locator('.composer'));
  await send(a, 'Two files for you');
  await b.goto(`${base}/chats/${directId}`);
  const withFiles = bubble(b, 'Two files for you');
  await showsBlob(withFiles.locator('.thumbnail img'));
  assert.ok(await withFiles.locator('.thumbnail img').evaluate((img) => img.naturalWidth <= 320), 'the thumbnail, not the image');
  await review(b, 'attachments', withFiles);
  await withFiles.getByRole('button', { name: 'Open the image photo.png' }).click();
  const viewer = b.getByRole('dialog', { name: 'photo.png' });
  await showsBlob(viewer.locator('img'));
  assert.equal(await viewer.locator('img').evaluate((img) => img.naturalWidth), 640, 'the full image');
  await review(b, 'image-viewer');
  await b.keyboard.press('Escape');
  await viewer.waitFor({ state: 'detached', ...WAIT });
  assert.ok(await b.evaluate(() => document.activeElement?.classList.contains('thumbnail')), 'the focus is back on the thumbnail');
  const [saved] = await Promise.all([
    b.waitForEvent('download', WAIT),
    withFiles.getByRole('button', { name: 'Download notes.pdf' }).click(),
  ]);
  assert.equal(saved.suggestedFilename(), 'notes.pdf');
  assert.deepEqual(readFileSync(await saved.path()), pdf, 'the PDF as sent');

  step('a message of files only, sent while offline, goes once with its file when the connection is back');
  await a.getByLabel('Attach files').setInputFiles({ name: 'offline.png', mimeType: 'image/png', buffer: png(200, 100) });
  await a.locator('.chips.files li[data-state="ready"]').waitFor(WAIT);
  await contextA.setOffline(true);
  await a.getByText('Connection lost — reconnecting…').waitFor(WAIT);
  await a.getByLabel('Message', { exact: true }).press('Enter');
  await a.locator('.message.pending', { hasText: 'offline.png' }).waitFor(WAIT);
  await contextA.setOffline(false);
  await showsBlob(b.locator('.messages li.message:not(.pending) .thumbnail img[alt="offline.png"]'));
  await a.locator('.message.pending').waitFor({ state: 'detached', ...WAIT });
  await row(b, 'Alice').getByText('File: offline.png').waitFor(WAIT);
  assert.equal(await b.locator('.thumbnail img[alt="offline.png"]').count(), 1, 'stored once');

  step('sessions: revoking another browser signs it out at once');
  const contextC = await browser.newContext({ viewport: WIDE });
  const c = await contextC.newPage();
  watch(c, 'alice-2');
  await c.goto(`${base}/login`);
  // By keyboard only: the first Tab reaches the first field, Enter submits.
  await c.keyboard.press('Tab');
  assert.equal(await c.evaluate(() => document.activeElement?.id), 'login');
  await c.keyboard.type(alice);
  await c.keyboard.press('Tab');
  await c.keyboard.type('correct horse battery');
  await c.keyboard.press('Enter');
  await c.waitForURL('**/chats');
  await row(c, 'Project team 2').waitFor(WAIT);
  await a.getByRole('link', { name: 'Sessions' }).click();
  await a.locator('.sessions li').nth(1).waitFor(WAIT);
  await review(a, 'sessions');
  await a.locator('.sessions li', { hasNotText: 'this browser' }).getByRole('button', { name: /Sign out/ }).click();
  await c.waitForURL('**/login', WAIT);
  await contextC.close();

  step('two tabs share one session: their refreshes rotate the token without tripping theft detection');
  const a2 = await contextA.newPage();
  watch(a2, 'alice-tab-2');
  await a2.goto(`${base}/chats`);
  await row(a2, 'Project team 2').waitFor(WAIT);
  const accessTtl = Number(process.env.CONFAB_ACCESS_TTL_SECONDS ?? 900);
  if (accessTtl <= 40) {
    // Both tabs' access tokens are now due for renewal; both renew at the same
    // instant (the client's own module, as the page loaded it).
    await a.goto(`${base}/chats`);
    await row(a, 'Project team 2').waitFor(WAIT);
    await a.waitForTimeout(11_000);
    const at = Date.now() + 1000;
    const renew = (page) => page.evaluate(async (start) => {
      const api = await import('/web/api.js');
      while (Date.now() < start) { /* both tabs start together */ }
      return (await api.token()) !== null;
    }, at);
    assert.deepEqual(await Promise.all([renew(a), renew(a2)]), [true, true], 'both tabs keep the session');
    await Promise.all([
      a.getByRole('link', { name: 'Sessions' }).click(),
      a2.getByRole('link', { name: 'Sessions' }).click(),
    ]);
    await a.locator('.sessions li').first().waitFor(WAIT);
    await a2.locator('.sessions li').first().waitFor(WAIT);
    assert.equal(await a.locator('.sessions li').count(), 1, 'one session for the two tabs');
    await a2.reload();
    await a2.locator('.sessions li').first().waitFor(WAIT);
    results.refresh_rotation_checked_with_access_ttl_seconds = accessTtl;
  } else {
    console.log('[web-e2e] skipped the concurrent refresh: set CONFAB_ACCESS_TTL_SECONDS to 40 or less');
  }
  await a2.close();

  step('the chat list at both widths');
  await b.goto(`${base}/chats`);
  await row(b, 'Project team 2').waitFor(WAIT);
  await review(b, 'chat-list');
  await b.goto(`${base}/chats/${directId}`);
  await bubbles(b).first().waitFor(WAIT);
  await shoot(b, 'direct-chat-bob');

  step('a new account sees the address banner, resends the link and confirms through the mailed link');
  const carol = `carol_${run}`;
  const carolEmail = `${carol}@example.com`;
  const contextD = await browser.newContext({ viewport: WIDE });
  const d = await contextD.newPage();
  watch(d, 'carol');
  await register(d, carol);
  const banner = d.getByRole('region', { name: 'Email address' });
  await banner.getByText(`Please confirm your email address ${carolEmail}`).waitFor(WAIT);
  await review(d, 'address-banner');
  await banner.getByRole('button', { name: 'Send the link again' }).click();
  // Accepted, or refused as too soon after the registration mail: either is said.
  await banner.locator('[role="status"], [role="alert"]').first().waitFor(WAIT);
  const verifyLink = await mailedLink(mailDir, carolEmail, 'verify-email');
  await d.goto(`${base}${verifyLink}`);
  await d.getByRole('heading', { name: 'Confirm your email address' }).waitFor(WAIT);
  await review(d, 'verify-email');
  await d.getByRole('button', { name: 'Confirm my address' }).click();
  await d.getByText(`Confirmed: ${carolEmail} is your account's address.`).waitFor(WAIT);
  await d.getByRole('link', { name: 'Go to my chats' }).click();
  await d.waitForURL('**/chats');
  await d.getByText('No chats yet').waitFor(WAIT);
  assert.equal(await banner.count(), 0, 'no banner once the address is confirmed');

  step('a password reset through the mailed link');
  await d.getByRole('button', { name: 'Sign out' }).click();
  await d.waitForURL('**/login');
  await d.getByRole('link', { name: 'Forgot password?' }).click();
  await d.waitForURL('**/forgot-password');
  await review(d, 'forgot-password');
  const mailsBefore = mailFiles(mailDir);
  // By keyboard: the first Tab reaches the address, Enter sends it.
  await d.keyboard.press('Tab');
  assert.equal(await d.evaluate(() => document.activeElement?.id), 'forgot-email');
  await d.keyboard.type(carolEmail);
  await d.keyboard.press('Enter');
  await d.locator('.ok[role="status"]').waitFor(WAIT);
  const resetLink = await mailedLink(mailDir, carolEmail, 'reset-password', mailsBefore);
  await d.goto(`${base}${resetLink}`);
  await d.getByRole('heading', { name: 'Choose a new password' }).waitFor(WAIT);
  await review(d, 'reset-password');
  await d.getByLabel('New password').fill('a brand new passphrase');
  await d.getByRole('button', { name: 'Set the new password' }).click();
  await d.getByText('Your password is changed').waitFor(WAIT);
  // The link works once.
  await d.reload();
  await d.getByLabel('New password').fill('another new passphrase');
  await d.getByRole('button', { name: 'Set the new password' }).click();
  await d.getByRole('alert').waitFor(WAIT);
  await d.getByRole('link', { name: 'Ask for a new link' }).waitFor(WAIT);
  await d.goto(`${base}/login`);
  await d.getByLabel('Username or email').fill(carol);
  await d.getByLabel('Password').fill('a brand new passphrase');
  await d.getByRole('button', { name: 'Sign in' }).click();
  await d.waitForURL('**/chats');

  step('deleting my account: a wrong password is said on the field; then signed out, and the account is gone');
  await d.getByRole('link', { name: 'Profile' }).click();
  await d.getByRole('button', { name: 'Delete my account…' }).click();
  // The confirmation takes the focus.
  await d.waitForFunction(() => document.activeElement?.id === 'delete-password', null, WAIT);
  await d.keyboard.type('not my password');
  await d.keyboard.press('Enter');
  await d.getByText('This is not your current password.').waitFor(WAIT);
  assert.equal(await d.getByLabel('Your password, to confirm').getAttribute('aria-invalid'), 'true');
  await review(d, 'delete-account', d.locator('form.confirm'));
  await d.getByLabel('Your password, to confirm').fill('a brand new passphrase');
  await d.getByRole('button', { name: 'Delete my account for good' }).click();
  await d.waitForURL('**/login', WAIT);
  await d.getByLabel('Username or email').fill(carol);
  await d.getByLabel('Password').fill('a brand new passphrase');
  await d.getByRole('button', { name: 'Sign in' }).click();
  await d.getByRole('alert').waitFor(WAIT);
  assert.ok(d.url().endsWith('/login'), 'a deleted account cannot sign in');
  await contextD.close();

  step('an invite-only server: a registration without an invite is refused in words, one through an invite link works');
  const invited = await startServer('invite');
  try {
    const contextE = await browser.newContext({ viewport: WIDE });
    const e = await contextE.newPage();
    watch(e, 'admin');
    const contextF = await browser.newContext({ viewport: WIDE });
    const f = await contextF.newPage();
    watch(f, 'dave');
    const dave = `dave_${run}`;
    const fillRegistration = async (page) => {
      await page.getByLabel('Username').fill(dave);
      await page.getByLabel('Email').fill(`${dave}@example.com`);
      await page.getByLabel('Password').fill('correct horse battery');
      await page.getByRole('button', { name: 'Create account' }).click();
    };
    await f.goto(`${invited.url}/register`);
    await fillRegistration(f);
    await f.getByText('This server takes new accounts by invitation only').waitFor(WAIT);

    await e.goto(`${invited.url}/login`);
    await e.getByLabel('Username or email').fill(invited.admin);
    await e.getByLabel('Password').fill('correct horse battery');
    await e.getByRole('button', { name: 'Sign in' }).click();
    await e.waitForURL('**/chats');
    await e.getByRole('link', { name: 'Admin' }).click();
    await e.waitForURL('**/admin/users');
    await e.locator('.admin-list li', { hasText: invited.admin }).waitFor(WAIT);
    await e.getByRole('link', { name: 'Invites' }).click();
    await e.getByText('No invites yet.').waitFor(WAIT);
    await e.getByLabel('Whom it is for').fill(`${dave}@example.com`);
    await e.getByLabel('Valid for').selectOption({ label: '1 day' });
    await e.getByRole('button', { name: 'Create invite' }).click();
    const inviteLink = await e.getByLabel('Invite link').inputValue();
    assert.match(inviteLink, new RegExp(`^${invited.url}/register\\?invite=`));
    await e.locator('.admin-list li', { hasText: `${dave}@example.com` }).getByText('open until').waitFor(WAIT);
    await review(e, 'admin-invites');

    await f.goto(inviteLink);
    await f.getByText('You were invited').waitFor(WAIT);
    await review(f, 'register-invite');
    await fillRegistration(f);
    await f.waitForURL('**/chats');
    await e.reload();
    await e.locator('.admin-list li', { hasText: `${dave}@example.com` }).getByText(`used by ${dave}`).waitFor(WAIT);
    assert.equal(await e.getByRole('button', { name: /^Revoke/ }).count(), 0, 'a used invite cannot be revoked');

    step('admin: accounts (search, create without a password), disabling signs the person out at once');
    await e.getByRole('link', { name: 'Accounts' }).click();
    await e.getByLabel('Username', { exact: true }).fill(`erin_${run}`);
    await e.getByLabel('Email', { exact: true }).fill(`erin_${run}@example.com`);
    await e.getByRole('button', { name: 'Create account' }).click();
    await e.getByText(`Created erin_${run}; a link to choose a password was mailed to erin_${run}@example.com.`).waitFor(WAIT);
    await mailedLink(invited.mail, `erin_${run}@example.com`, 'reset-password');

    step('admin: chats (search, add and remove members of a group the admin is not in, join it, delete a message); dave sees each change');
    const erin = `erin_${run}`;
    const daveToken = await apiLogin(dave, invited.url);
    const club = await api(daveToken, 'POST', '/chats', { type: 'group', name: 'Book club', member_ids: [] }, invited.url);
    await api(daveToken, 'POST', `/chats/${club.id}/messages`, { body: 'Hello club', client_message_id: `club-${run}` }, invited.url);
    await f.goto(`${invited.url}/chats/${club.id}`);
    await bubble(f, 'Hello club').waitFor(WAIT);
    await f.getByRole('button', { name: 'Members' }).click();
    await e.getByRole('link', { name: 'Chats' }).click();
    await e.waitForURL('**/admin/chats');
    await e.getByLabel('Group name starts with').fill('book');
    await e.getByRole('button', { name: 'Search' }).click();
    const clubRow = e.locator('.admin-list > li', { hasText: 'Book club' });
    await clubRow.getByText('1 member').waitFor(WAIT);
    await clubRow.getByRole('button', { name: 'Members of Book club' }).click();
    await e.getByLabel('Add people to Book club').fill('erin');
    await e.getByRole('button', { name: `Add ${erin}` }).click();
    await e.getByText(`Added ${erin}.`).waitFor(WAIT);
    await clubRow.getByText('2 members').waitFor(WAIT);
    await f.locator('.member', { hasText: erin }).waitFor(WAIT);
    await review(e, 'admin-chats');
    await e.getByLabel('Remove someone from Book club').fill('erin');
    e.once('dialog', (dialog) => dialog.accept());
    await e.getByRole('button', { name: `Remove ${erin}` }).click();
    await e.getByText(`Removed ${erin}.`).waitFor(WAIT);
    await f.locator('.member', { hasText: erin }).waitFor({ state: 'detached', ...WAIT });
    await e.getByRole('button', { name: 'Join this group' }).click();
    await e.getByRole('button', { name: `Remove ${dave} from Book club` }).waitFor(WAIT);
    await f.locator('.member', { hasText: invited.admin }).waitFor(WAIT);
    await e.getByRole('link', { name: 'Open Book club' }).click();
    e.once('dialog', (dialog) => dialog.accept());
    await bubble(e, 'Hello club').getByRole('button', { name: 'Delete this message' }).click();
    await bubble(f, 'Message deleted').waitFor(WAIT);
    await e.getByRole('link', { name: 'Admin' }).click();
    await e.waitForURL('**/admin/users');
    await e.getByLabel('Username or email starts with').fill('dave');
    await e.getByRole('button', { name: 'Search' }).click();
    await e.locator('.admin-list li', { hasText: 'erin' }).waitFor({ state: 'detached', ...WAIT });
    await review(e, 'admin-users');
    e.once('dialog', (dialog) => dialog.accept());
    await e.getByRole('button', { name: `Disable ${dave}` }).focus();
    await e.keyboard.press('Enter');
    await f.waitForURL('**/login', WAIT);
    await e.locator('.admin-list li', { hasText: dave }).getByText('disabled').waitFor(WAIT);
    await e.getByLabel('Show').selectOption('disabled');
    await e.getByRole('button', { name: `Enable ${dave}` }).waitFor(WAIT);

    step('admin: deleting an account after a confirmation');
    await e.getByLabel('Show').selectOption('');
    await e.getByLabel('Username or email starts with').fill('erin');
    await e.getByRole('button', { name: 'Search' }).click();
    e.once('dialog', (dialog) => dialog.accept());
    await e.getByRole('button', { name: `Delete ${erin}` }).click();
    await e.locator('.admin-list li', { hasText: erin }).getByText('disabled').waitFor(WAIT);

    step('admin: the audit log and the stats');
    await e.getByRole('link', { name: 'Audit log' }).click();
    await e.locator('.audit li', { hasText: 'user.disable' }).waitFor(WAIT);
    for (const action of ['user.delete', 'chat.add_members', 'chat.remove_member', 'message.delete']) {
      await e.locator('.audit li', { hasText: action }).first().waitFor(WAIT);
    }
    await review(e, 'admin-audit');
    await e.getByRole('link', { name: 'Stats' }).click();
    await e.locator('.stats dt', { hasText: 'Accounts' }).waitFor(WAIT);
    assert.equal(await e.locator('.stats div', { hasText: 'Accounts' }).locator('dd').innerText(), '3');
    await review(e, 'admin-stats');

    step('the last admin cannot delete their account, and is told why');
    await e.getByRole('link', { name: 'Profile' }).click();
    await e.getByRole('button', { name: 'Delete my account…' }).click();
    await e.getByLabel('Your password, to confirm').fill('correct horse battery');
    await e.getByRole('button', { name: 'Delete my account for good' }).click();
    await e.getByRole('alert').getByText('You are the last administrator of this server').waitFor(WAIT);
    await contextE.close();
    await contextF.close();
  } finally {
    invited.stop();
  }

  step('a closed server: registration is refused in words');
  const closed = await startServer('closed');
  try {
    const contextG = await browser.newContext({ viewport: WIDE });
    const g = await contextG.newPage();
    watch(g, 'frank');
    await g.goto(`${closed.url}/register`);
    await g.getByLabel('Username').fill(`frank_${run}`);
    await g.getByLabel('Email').fill(`frank_${run}@example.com`);
    await g.getByLabel('Password').fill('correct horse battery');
    await g.getByRole('button', { name: 'Create account' }).click();
    await g.getByRole('alert').getByText('This server is not taking new accounts').waitFor(WAIT);
    await contextG.close();
  } finally {
    closed.stop();
  }

  assert.deepEqual(problems, [], `problems in the browsers:\n${problems.join('\n')}`);
  results.ok = true;
  console.log(`[web-e2e] passed; time to first message ${results.time_to_first_message_ms} ms`);
} catch (error) {
  console.log(`[web-e2e] FAILED at the step "${results.steps.at(-1)}"`);
  await screenshotEveryPage();
  throw error;
} finally {
  writeFileSync(`${artifacts}/results.json`, JSON.stringify(results, null, 2));
  await browser.close();
}

/** What each open page showed when the test failed, as failure-N.png beside the other screenshots. */
async function screenshotEveryPage() {
  let n = 0;
  for (const context of browser.contexts()) {
    for (const page of context.pages()) {
      n += 1;
      try {
        await page.screenshot({ path: `${artifacts}/failure-${n}.png`, timeout: 5_000 });
        console.log(`[web-e2e] failure-${n}.png: ${page.url()}`);
      } catch { /* a page that cannot be captured any more says nothing useful */ }
    }
  }
}
