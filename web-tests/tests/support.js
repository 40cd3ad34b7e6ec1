// @ts-check
// What every browser test shares: the addresses ./run found, people with
// tokens from `hearth token`, test data made through the services' public
// APIs, and `visit`, which checks each page the same way (status, CSP,
// axe-core, screenshots at 1280 px and 360 px).
const { execFileSync } = require('node:child_process');
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
 * `test` with a page that records what must never happen on Hearth's site,
 * and fails the test if it did: a dialog (a script that ran from data), a
 * Content-Security-Policy violation (in the console or as an event), or an
 * uncaught page error.
 */
const test = base.extend({
  page: async ({ page }, use) => {
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
    await use(page);
    expect(incidents, 'dialogs, CSP violations and page errors').toEqual([]);
  },
});

module.exports = {
  test,
  expect,
  urls,
  api,
  person,
  createCampaign,
  createRequest,
  giveAndWait,
  unique,
  visit,
  checkPage,
  expectStrictPolicy,
};
