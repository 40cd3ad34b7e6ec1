// @ts-check
// What every browser test shares: the addresses ./run found, people with
// tokens from `hearth token`, test data made through the services' public
// APIs, and `visit`, which checks each page the same way (status, CSP,
// axe-core, screenshots at 1280 px and 360 px).
const { execFileSync, spawn } = require('node:child_process');
const { randomUUID } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { test: base, expect } = require('@playwright/test');
const { AxeBuilder } = require('@axe-core/playwright');

/** How long a saga may take to cross the broker before a test gives up. */
const SAGA_TIMEOUT_MS = 15_000;
/** How long one API call may take. */
const API_TIMEOUT_MS = 10_000;

const SCREENSHOTS = path.join(__dirname, '..', '..', 'target', 'browser-screenshots');
const WIDTHS = [1280, 360];

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is unset: run the browser tests with web-tests/run`);
  return value;
}

const urls = {
  site: () => required('HEARTH_WEB_URL'),
  degradedSite: () => required('HEARTH_DEGRADED_WEB_URL'),
  campaign: () => required('HEARTH_CAMPAIGN_URL'),
  donation: () => required('HEARTH_DONATION_URL'),
  request: () => required('HEARTH_REQUEST_URL'),
  profile: () => required('HEARTH_PROFILE_URL'),
  messaging: () => required('HEARTH_MESSAGING_URL'),
};

/** The platform's databases, for `holdRow` alone (tests read through the APIs). */
const databases = {
  campaign: () => required('HEARTH_CAMPAIGN_DATABASE_URL'),
  main: () => required('HEARTH_MAIN_DATABASE_URL'),
};

/** A token signed as `hearth up` signs them (its development secret). */
function token(sub, { admin = false } = {}) {
  const args = ['token', '--sub', sub, ...(admin ? ['--admin'] : [])];
  const env = { ...process.env };
  delete env.JWT_SECRET;
  return execFileSync(required('HEARTH_BIN'), args, {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    timeout: API_TIMEOUT_MS,
  }).trim();
}

/** One call to a service's public API; fails the test on an unexpected status. */
async function api(service, method, route, { token: bearer, body, expected } = {}) {
  const headers = { accept: 'application/json' };
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const answer = await fetch(urls[service]() + route, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(API_TIMEOUT_MS),
  });
  const text = await answer.text();
  if (expected !== undefined && answer.status !== expected) {
    throw new Error(`${method} ${service}${route}: expected ${expected}, got ${answer.status}: ${text}`);
  }
  return text ? JSON.parse(text) : null;
}

/** A new person; named (a public profile) when `displayName` is given. */
async function person(displayName) {
  const id = randomUUID();
  const who = { id, token: token(id) };
  if (displayName) {
    await api('profile', 'PUT', '/profiles/me', {
      token: who.token,
      body: { display_name: displayName },
      expected: 201,
    });
  }
  return who;
}

/** A campaign `owner` creates through campaign-service's API. */
function createCampaign(owner, body) {
  return api('campaign', 'POST', '/campaigns', { token: owner.token, body, expected: 201 });
}

/** A request `owner` posts through request-service's API. */
function createRequest(owner, body) {
  return api('request', 'POST', '/requests', { token: owner.token, body, expected: 201 });
}

/** A donation through donation-service's API, once the saga has decided it. */
async function giveAndWait(donor, body) {
  const made = await api('donation', 'POST', '/donations', {
    token: donor.token,
    body,
    expected: 201,
  });
  let seen = made;
  await expect
    .poll(
      async () => {
        seen = await api('donation', 'GET', `/donations/${made.id}`, {
          token: donor.token,
          expected: 200,
        });
        return seen.status;
      },
      { timeout: SAGA_TIMEOUT_MS, message: `donation ${made.id} left pending` },
    )
    .not.toBe('pending');
  return seen;
}

/** A word no other test uses, for titles that search must find. */
function unique(word) {
  return `${word}${randomUUID().slice(0, 8)}`;
}

/**
 * Every serious or critical axe-core violation on the page, as lines that
 * say which rule, where and how to fix it.
 */
async function seriousViolations(page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help} (${v.helpUrl})\n` +
        v.nodes.map((n) => `    at ${n.target.join(' ')}: ${n.failureSummary}`).join('\n'),
    );
}

/**
 * Checks the page the browser shows now, as every test does for every page:
 * axe-core at each width (no serious or critical violation) and a full-page
 * screenshot at 1280 px and 360 px, saved as `<name>-<width>.png`. With
 * JavaScript off axe-core cannot run in the page (`axe: false`); the same
 * pages are checked with it on.
 */
async function checkPage(page, name, { axe = true } = {}) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const original = page.viewportSize();
  try {
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 800 });
      if (axe) {
        const violations = await seriousViolations(page);
        expect(violations, `axe-core on ${name} at ${width} px`).toEqual([]);
      }
      await page.screenshot({
        path: path.join(SCREENSHOTS, `${name}-${width}.png`),
        fullPage: true,
        timeout: 10_000,
      });
    }
  } finally {
    if (original) await page.setViewportSize(original);
  }
  // With JavaScript off no script can run in the page, nor htmx swap it.
  if (!axe) return;
  // The checks above (axe-core's measurements, the screenshots) set inline
  // styles on text inputs and restore them, leaving an empty `style=""`
  // behind (seen on the search fields). The site's pages have no style
  // attributes (the CSP forbids them); left there, htmx would copy them onto
  // the next boosted page (`attributesToSettle`) and the browser would
  // report a style-src-attr violation the site did not cause.
  await page.evaluate(() => {
    for (const element of document.querySelectorAll('[style]')) {
      if ((element.getAttribute('style') || '').trim() === '') element.removeAttribute('style');
    }
  });
}

/** The site's strict policy, as every answer must carry it. */
function expectStrictPolicy(response, what) {
  const policy = response.headers()['content-security-policy'];
  expect(policy, `the Content-Security-Policy of ${what}`).toBeTruthy();
  expect(policy).toContain("script-src 'self'");
  expect(policy).toContain("frame-ancestors 'none'");
  expect(policy).not.toContain('unsafe-inline');
  expect(policy).not.toContain('unsafe-eval');
}

/**
 * Opens `url` (absolute, or a path on the site), expects `status`, the
 * strict CSP, and then checks the page (axe-core, screenshots).
 */
async function visit(page, url, name, { status = 200, axe = true } = {}) {
  const target = url.startsWith('http') ? url : urls.site() + url;
  const response = await page.goto(target, { waitUntil: 'load' });
  expect(response, `an answer for ${target}`).not.toBeNull();
  if (!response) throw new Error('unreachable');
  expect(response.status(), `the status of ${target}`).toBe(status);
  expectStrictPolicy(response, target);
  await checkPage(page, name, { axe });
  return response;
}

/**
 * Records on `page` what must never happen on Hearth's site: a dialog (a
 * script that ran from data), a Content-Security-Policy violation (in the
 * console or as an event), or an uncaught page error. Answers the list,
 * which the test expects empty at its end.
 */
async function guard(page) {
  const incidents = [];
  page.on('dialog', async (dialog) => {
    incidents.push(`a ${dialog.type()} dialog: ${dialog.message()}`);
    await dialog.dismiss().catch(() => {});
  });
  page.on('console', (message) => {
    const text = message.text();
    if (/Content Security Policy|Content-Security-Policy/i.test(text)) {
      incidents.push(`a CSP report in the console: ${text}`);
    }
  });
  page.on('pageerror', (error) => incidents.push(`an uncaught error: ${error.message}`));
  // Scripts Playwright adds are not bound by the page's policy.
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      // Where it happened, to find the cause: the element, or the script line.
      const node = /** @type {any} */ (event.target);
      const element = node && node.outerHTML ? node.outerHTML.slice(0, 160) : String(node);
      console.error(
        `Content Security Policy violation: ${event.violatedDirective} blocked ` +
          `${event.blockedURI} at ${event.sourceFile}:${event.lineNumber} on ${element}`,
      );
    });
  });
  return incidents;
}

/**
 * `test` with pages that fail the test on a dialog, a CSP violation or an
 * uncaught error (`guard`): `page`, and `otherPage`, a second person's
 * browser (a context of its own, so its own cookies) with the same checks.
 */
const test = base.extend({
  page: async ({ page }, use) => {
    const incidents = await guard(page);
    await use(page);
    expect(incidents, 'dialogs, CSP violations and page errors').toEqual([]);
  },
  otherPage: async ({ browser, javaScriptEnabled }, use) => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      javaScriptEnabled,
    });
    try {
      const page = await context.newPage();
      const incidents = await guard(page);
      await use(page);
      expect(incidents, 'dialogs, CSP violations and page errors (second browser)').toEqual([]);
    } finally {
      await context.close();
    }
  },
});

/**
 * Signs `displayName` in through the development sign-in page, as a tester
 * would: by the labels "Display name" and "Sign in". Starts at the sign-in
 * page unless `page` is on it already (e.g. sent there by "Sign in to
 * give"); the header greets the person afterwards. Answers who they are.
 */
async function signIn(page, displayName) {
  if (!new URL(page.url(), 'http://x').pathname.startsWith('/sign-in')) {
    await page.goto(`${urls.site()}/sign-in`);
  }
  await page.getByLabel('Display name').fill(displayName);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText(`Signed in as ${displayName}`)).toBeVisible();
  return session(page);
}

/**
 * The person signed in in `page`'s browser: the token the site keeps in its
 * HttpOnly session cookie (no page script can read it; the test reads it
 * from the browser) and the person's id, its `sub`. Tests use it to make
 * and check things through the APIs as that person.
 */
async function session(page) {
  const cookies = await page.context().cookies(urls.site());
  const cookie = cookies.find((c) => c.name === 'hearth_session');
  if (!cookie || !cookie.value) throw new Error('no hearth_session cookie: not signed in');
  const payload = JSON.parse(Buffer.from(cookie.value.split('.')[1], 'base64url').toString('utf8'));
  return { id: String(payload.sub), token: cookie.value };
}

/**
 * Counts the navigations of `page`'s main frame from now on, same-document
 * ones (history.pushState, as htmx's boosted links make) included, and
 * leaves a marker on `window` that only a new document would lose. `check()`
 * expects neither to have happened: what changed on the page changed in
 * place, without a reload.
 */
async function watchNavigations(page) {
  let navigations = [];
  const listener = (/** @type {import('@playwright/test').Frame} */ frame) => {
    if (frame === page.mainFrame()) navigations.push(frame.url());
  };
  page.on('framenavigated', listener);
  const marker = randomUUID();
  await page.evaluate((value) => {
    /** @type {any} */ (window).hearthTestMarker = value;
  }, marker);
  return {
    async check() {
      page.off('framenavigated', listener);
      expect(navigations, 'navigations since the page was marked').toEqual([]);
      const still = await page.evaluate(() => /** @type {any} */ (window).hearthTestMarker);
      expect(still, 'the marker left on window (a reload would lose it)').toBe(marker);
    },
  };
}

/**
 * Holds one row of a service's table locked (`SELECT … FOR UPDATE` in an
 * open transaction, through psql) until `release()`: the saga step that
 * locks the same row to decide (campaign-service accepting a donation,
 * request-service a pledge) waits for it, as it would behind a slow
 * transaction of its own. So a test is certain to see *pending* before the
 * outcome, however fast the saga is. The lock ends with the transaction on
 * `release()`, and PostgreSQL ends it anyway after 30 s idle.
 */
async function holdRow(database, table, id) {
  const psql = spawn(
    'psql',
    ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-v', `id=${id}`, databases[database]()],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let output = '';
  psql.stdout.on('data', (chunk) => (output += chunk));
  psql.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => psql.on('exit', resolve));
  // `table` is one of the tests' own literals; the id is quoted by psql.
  psql.stdin.write(
    "set idle_in_transaction_session_timeout = '30s';\n" +
      'begin;\n' +
      `select 'held' from ${table} where id = :'id' for update;\n`,
  );
  try {
    await expect
      .poll(() => output, { timeout: API_TIMEOUT_MS, message: `lock ${table} ${id}` })
      .toContain('held');
  } catch (error) {
    psql.kill('SIGKILL');
    throw new Error(`could not lock ${table} ${id}: ${output}\n${error}`);
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      psql.stdin.end('commit;\n');
      const timer = setTimeout(() => psql.kill('SIGKILL'), API_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The gifts `who` gave, newest first, as donation-service lists them. */
async function myDonations(who) {
  const page = await api('donation', 'GET', '/donations?mine=true', {
    token: who.token,
    expected: 200,
  });
  return page.items;
}

/** How many unread notifications messaging-service holds for `who`. */
async function unreadCount(who) {
  const page = await api('messaging', 'GET', '/notifications?unread=true', {
    token: who.token,
    expected: 200,
  });
  return page.items.length;
}

module.exports = {
  test,
  expect,
  urls,
  api,
  person,
  signIn,
  session,
  watchNavigations,
  holdRow,
  myDonations,
  unreadCount,
  SAGA_TIMEOUT_MS,
  createCampaign,
  createRequest,
  giveAndWait,
  unique,
  visit,
  checkPage,
  expectStrictPolicy,
};

// Running campaigns and requests, and the gifts received (running.spec.js,
// received.spec.js).

/** Signs `displayName` in as staff, ticking "Sign in as staff (moderator)". */
async function signInAsStaff(page, displayName) {
  await page.goto(`${urls.site()}/sign-in`);
  await page.getByLabel('Display name').fill(displayName);
  await page.getByLabel('Sign in as staff (moderator)').check();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText(`Signed in as ${displayName}`)).toBeVisible();
  return session(page);
}

/**
 * Starts a campaign through "Start a campaign", as its recipient would, and
 * answers its id once its page shows. `fields` are the form's labels' values.
 */
async function startCampaign(page, { title, goal, currency = 'USD', description = '', draft = false }) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Start a campaign' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Start a campaign' })).toBeVisible();
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Description (optional)').fill(description);
  await page.getByLabel('Currency').selectOption(currency);
  await page.getByLabel('Goal', { exact: true }).fill(goal);
  await page.getByRole('button', { name: draft ? 'Save as draft' : 'Publish' }).click();
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  return new URL(page.url()).pathname.split('/').pop();
}

/** Posts a request through "Post a request", and answers its id. */
async function postRequest(page, { title, category, quantity, description = '' }) {
  await page.goto(`${urls.site()}/requests/new`);
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Description (optional)').fill(description);
  await page.getByLabel('Category').fill(category);
  await page.getByLabel('Quantity needed').fill(String(quantity));
  await page.getByRole('button', { name: 'Post the request' }).click();
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  return new URL(page.url()).pathname.split('/').pop();
}

/**
 * Reloads `page` until `check` passes (a saga's effect, seen as a person
 * would: by opening the page again), within the saga time-out.
 */
async function untilShown(page, check) {
  await expect(async () => {
    await page.reload();
    await check();
  }).toPass({ timeout: SAGA_TIMEOUT_MS, intervals: [250, 500, 1000] });
}

module.exports.signInAsStaff = signInAsStaff;
module.exports.startCampaign = startCampaign;
module.exports.postRequest = postRequest;
module.exports.untilShown = untilShown;

