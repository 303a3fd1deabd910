// Swagger UI at /docs as a developer first meets it, in headless Chromium driven by
// playwright-core: register and log in through "Try it out" with the bodies the page
// pre-fills from the spec's examples (sent unchanged), authorize with the token the
// login answered, call getMe and see 200 and the registered account, reload and call
// it again with the remembered token (persistAuthorization). Saves a
// screenshot of the page. Fails on any other status, on a page error, or when the
// browser reports a Content-Security-Policy violation.
// Usage: node swagger-ui.mjs BASE_URL SCREENSHOT_PNG [CHROMIUM]
import { chromium } from 'playwright-core';

const [base, screenshot, executable = '/usr/bin/chromium'] = process.argv.slice(2);
if (!base || !screenshot) {
  console.error('usage: node swagger-ui.mjs BASE_URL SCREENSHOT_PNG [CHROMIUM]');
  process.exit(2);
}

const check = (condition, what) => {
  if (!condition) throw new Error(`check failed: ${what}`);
  console.log(`  ok: ${what}`);
};

const browser = await chromium.launch({
  executablePath: executable,
  headless: true,
  // CI containers run as root, where Chromium's sandbox cannot start.
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
const problems = [];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1800 } });
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) {
      problems.push(`console: ${message.text()}`);
    }
  });

  await page.goto(`${base}/docs`);
  await page.locator('.opblock').first().waitFor();
  console.log(`  /docs shows ${await page.locator('.opblock').count()} operations`);

  // Expands `method path`, presses "Try it out" and "Execute" and returns the
  // HTTP response and the status Swagger UI displays.
  const tryItOut = async (method, path, { body } = {}) => {
    const block = page.locator(`.opblock.opblock-${method}`, {
      has: page.locator(`.opblock-summary-path[data-path="${path}"]`),
    });
    const operationId = (await block.getAttribute('id')) ?? '';
    if (!(await block.locator('.opblock-body').isVisible())) {
      await block.locator('.opblock-summary').first().click();
    }
    await block.locator('button.try-out__btn').click();
    if (body) {
      const sent = await block.locator('textarea.body-param__text').inputValue();
      console.log(`  ${method.toUpperCase()} ${path}: the pre-filled body ${sent.replace(/\s+/g, ' ')}`);
      check(sent.includes(body), `the pre-filled ${path} body holds ${body}`);
    }
    const [response] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === path && r.request().method() === method.toUpperCase()),
      block.locator('button.execute').click(),
    ]);
    const shown = block.locator('.live-responses-table .response .response-col_status').first();
    await shown.waitFor();
    const status = (await shown.innerText()).trim();
    console.log(`  ${method.toUpperCase()} ${path} (${operationId.replace(/^operations-/, '')}) -> ${status}`);
    return { response, status, block };
  };

  const registered = await tryItOut('post', '/api/v1/auth/register', { body: '"username": "alice"' });
  check(registered.status === '201', 'register through "Try it out" answers 201');
  const signedUp = await registered.response.json();

  const login = await tryItOut('post', '/api/v1/auth/login', { body: '"login": "alice@example.com"' });
  check(login.status === '200', 'login through "Try it out" answers 200');
  const token = (await login.response.json()).tokens.access_token;
  check(typeof token === 'string' && token.length > 20, 'the login answered an access token');

  // Authorize: the bearer scheme's field in the Authorize dialog.
  await page.locator('.scheme-container button.authorize').click();
  const dialog = page.locator('.modal-ux');
  const bearer = dialog.locator('.auth-container', { has: page.locator('h4', { hasText: 'bearer' }) });
  const schemes = await dialog.locator('.auth-container h4').allInnerTexts();
  console.log(`  Authorize offers: ${schemes.map((s) => s.trim()).join(', ')}`);
  await bearer.locator('input').fill(token);
  await bearer.locator('button.authorize').click();
  check(await bearer.locator('button', { hasText: 'Logout' }).isVisible(), 'the bearer scheme is authorized');
  await dialog.locator('button.btn-done').first().click();

  const me = await tryItOut('get', '/api/v1/me');
  check(me.status === '200', 'getMe through "Try it out" answers 200');
  check(
    me.response.request().headers().authorization === `Bearer ${token}`,
    'getMe was sent with the bearer token from the login',
  );
  const profile = await me.response.json();
  check(profile.id === signedUp.user.id && profile.username === 'alice', 'getMe shows the registered account');

  // persistAuthorization: after a reload the token is still there.
  await page.reload();
  await page.locator('.opblock').first().waitFor();
  const again = await tryItOut('get', '/api/v1/me');
  check(
    again.status === '200' && again.response.request().headers().authorization === `Bearer ${token}`,
    'after a reload getMe still answers 200 with the remembered token',
  );
  await again.block.scrollIntoViewIfNeeded();

  await page.screenshot({ path: screenshot, fullPage: false });
  console.log(`  screenshot: ${screenshot}`);
  check(problems.length === 0, `no page error and no CSP violation${problems.length ? `: ${problems.join('; ')}` : ''}`);
} finally {
  await browser.close();
}
console.log('Swagger UI: registered, logged in, authorized and called getMe');
