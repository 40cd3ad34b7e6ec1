// @ts-check
// Hearth's site in Chromium, over the whole platform that ./run started.
// Test data is made through the services' public APIs, as people's apps
// would; the browser only reads what the site shows. Every page visited is
// checked with axe-core and photographed at 1280 px and 360 px (support.js).
const { randomUUID } = require('node:crypto');
const {
  test,
  expect,
  urls,
  person,
  createCampaign,
  createRequest,
  giveAndWait,
  visit,
  checkPage,
} = require('./support');

test('a campaign made through the API is found by search and opens from its card', async ({ page }) => {
  const owner = await person('Nadia Lantern-Keeper');
  const title = 'Lanterns for the reading room';
  const campaign = await createCampaign(owner, {
    title,
    description: 'The reading room closes at dusk for want of light.',
    goal_minor: 120_000,
    currency: 'EUR',
    category: 'education',
  });

  await visit(page, '/', 'home');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Explore' }).click();
  await expect(page).toHaveURL(/\/explore$/);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await checkPage(page, 'explore');

  const search = page.getByRole('search', { name: 'Campaigns and requests' });
  await search.getByLabel('Search').fill('lanterns');
  await search.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/[?&]q=lanterns/);
  const campaigns = page.getByRole('region', { name: 'Campaigns' });
  const card = campaigns.getByRole('link', { name: title });
  await expect(card).toBeVisible();
  await expect(campaigns.getByRole('article')).toHaveCount(1);
  await expect(campaigns.getByRole('article')).toContainText('1,200.00 EUR');
  await checkPage(page, 'explore-search');

  await card.click();
  await expect(page).toHaveURL(new RegExp(`/campaigns/${campaign.id}$`));
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await expect(page.getByRole('region', { name: 'About' })).toContainText('closes at dusk');
  await expect(page.getByLabel('Link to this campaign')).toHaveValue(new RegExp(`/campaigns/${campaign.id}$`));
  await checkPage(page, 'campaign');

  // The same page loaded directly carries the policy too.
  await visit(page, `/campaigns/${campaign.id}`, 'campaign-direct');
});

test('an anonymous confirmed donation shows its donor as "Someone"', async ({ page }) => {
  const owner = await person('Omar Roofer');
  const donorName = 'Beatrix Quietgiver';
  const donor = await person(donorName);
  const campaign = await createCampaign(owner, {
    title: 'Repair the chapel roof',
    goal_minor: 500_000,
    currency: 'USD',
  });
  const donation = await giveAndWait(donor, {
    kind: 'money',
    campaign_id: campaign.id,
    amount_minor: 2_500,
    currency: 'USD',
    anonymous: true,
    message: 'Stay dry',
  });
  expect(donation.status).toBe('confirmed');

  await visit(page, `/campaigns/${campaign.id}`, 'campaign-anonymous-gift');
  const gifts = page.getByRole('region', { name: 'Recent donations' });
  const gift = gifts.getByRole('listitem');
  await expect(gift).toHaveCount(1);
  await expect(gift).toContainText('Someone');
  await expect(gift).toContainText('25.00 USD');
  await expect(gift.getByRole('link')).toHaveCount(0);
  await expect(page.locator('body')).not.toContainText(donorName);
  await expect(page.locator('body')).not.toContainText(donor.id);
});

test('a campaign titled with a script shows the title as text and runs nothing', async ({ page }) => {
  const owner = await person('Mallory Tester');
  const xss = '<script>alert(1)</script>';
  const campaign = await createCampaign(owner, {
    title: xss,
    description: `<img src=x onerror=alert(2)> ${xss}`,
    goal_minor: 100,
    currency: 'GBP',
  });

  await visit(page, `/campaigns/${campaign.id}`, 'campaign-script-title');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(xss);
  await expect(page.getByRole('region', { name: 'About' })).toContainText('<img src=x onerror=alert(2)>');
  await expect(page).toHaveTitle(`${xss} · Hearth`);
  // The only scripts are the site's own files; none came from the data.
  const scripts = await page.locator('script').evaluateAll((nodes) =>
    nodes.map((n) => /** @type {HTMLScriptElement} */ (n).src),
  );
  expect(scripts.length).toBeGreaterThan(0);
  for (const src of scripts) expect(src).toMatch(new RegExp(`^${urls.site()}/static/`));
  await expect(page.locator('main img')).toHaveCount(0);

  await visit(page, `/explore?q=alert&status=all`, 'explore-script-title');
  await expect(page.getByRole('region', { name: 'Campaigns' }).getByRole('link', { name: xss })).toBeVisible();
  // The fixture fails the test if any dialog opened.
});

test('every page carries the strict CSP and the browser reports no violation', async ({ page }) => {
  await visit(page, '/', 'home-csp');
  // htmx, the one script, loaded from the site under the policy.
  await expect.poll(() => page.evaluate(() => typeof (/** @type {any} */ (window).htmx)), {
    timeout: 10_000,
  }).toBe('object');
  await visit(page, '/explore?status=all&kind=requests', 'explore-requests');
  await visit(page, '/sign-in', 'sign-in');
  await visit(page, `/campaigns/${randomUUID()}`, 'not-found-csp', { status: 404 });
  // The fixture fails the test on a CSP report in the console or as an event.
});

test('a request and its requester open from their links', async ({ page }) => {
  const requester = await person('Priya Blanketdrive');
  const title = 'Blankets for the night shelter';
  const request = await createRequest(requester, {
    title,
    description: 'Twelve beds, six blankets.',
    category: 'shelter',
    quantity_needed: 12,
  });

  await visit(page, '/explore?kind=requests&q=blankets', 'explore-requests-search');
  await page.getByRole('region', { name: 'Requests' }).getByRole('link', { name: title }).click();
  await expect(page).toHaveURL(new RegExp(`/requests/${request.id}$`));
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await checkPage(page, 'request');

  await visit(page, `/people/${requester.id}`, 'profile');
  await expect(page.getByRole('heading', { level: 1, name: 'Priya Blanketdrive' })).toBeVisible();
});

test('a stopped service is a notice on the page, not an error page', async ({ page }) => {
  const owner = await person('Sam Busfare');
  const title = 'Bus fare fund';
  const campaign = await createCampaign(owner, { title, goal_minor: 5_000, currency: 'ZAR' });

  // The second site looks for donation-service on a closed port.
  await visit(page, `${urls.degradedSite()}/campaigns/${campaign.id}`, 'campaign-donations-down');
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await expect(page.getByRole('status')).toContainText(
    'Donations are unavailable right now; try again shortly.',
  );
  await expect(page.getByRole('region', { name: 'Recent donations' })).toContainText(
    'cannot be shown right now',
  );
  await expect(page.getByRole('region', { name: 'Progress' })).toBeVisible();
  await expect(page.getByText(/^Error \d+/)).toHaveCount(0);
});

test('an unknown campaign is the 404 page, with a way home', async ({ page }) => {
  await visit(page, `/campaigns/${randomUUID()}`, 'not-found', { status: 404 });
  await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
  await expect(page).toHaveTitle('Page not found · Hearth');

  await visit(page, '/no/such/page', 'not-found-path', { status: 404 });
  await page.getByRole('link', { name: 'Back to the home page' }).click();
  await expect(page).toHaveURL(`${urls.site()}/`);
});

test('the keyboard alone skips to the content, searches and opens a campaign', async ({ page }) => {
  const owner = await person('Kit Keyboard');
  const title = 'Ramps for the community hall';
  await createCampaign(owner, { title, goal_minor: 80_000, currency: 'CAD' });

  await visit(page, '/explore', 'explore-keyboard');
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('main')).toBeFocused();

  // From the content, the first stop is the search field.
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Search')).toBeFocused();
  await page.keyboard.type('ramps');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/[?&]q=ramps/);
  const card = page.getByRole('region', { name: 'Campaigns' }).getByRole('link', { name: title });
  await card.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
});

test.describe('with JavaScript off', () => {
  test.use({ javaScriptEnabled: false });

  test('search and the campaign page work as plain HTML', async ({ page }) => {
    const owner = await person('Noor Noscript');
    const title = 'Seeds for the allotment';
    const campaign = await createCampaign(owner, { title, goal_minor: 30_000, currency: 'GBP' });

    // axe-core needs JavaScript; these pages are checked with it on above.
    await visit(page, '/explore', 'explore-no-js', { axe: false });
    await page.getByLabel('Search').fill('allotment');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page).toHaveURL(/[?&]q=allotment/);
    await page.getByRole('region', { name: 'Campaigns' }).getByRole('link', { name: title }).click();
    await expect(page).toHaveURL(new RegExp(`/campaigns/${campaign.id}$`));
    await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Progress' })).toContainText('300.00 GBP');
    await checkPage(page, 'campaign-no-js', { axe: false });
  });
});
