// @ts-check
// Giving through the site in Chromium, over the whole platform that ./run
// started: the development sign-in, the donate and pledge forms, the saga's
// outcome arriving on the page without a reload, refusals in plain words,
// one donation however often a form is sent, and the owner's notifications.
// People act in the browser by the visible labels; what the site does not
// offer yet (making a campaign, pausing it) goes through the services' APIs
// as the same person, with the token their browser holds (support.js).
const {
  test,
  expect,
  urls,
  api,
  person,
  signIn,
  watchNavigations,
  holdRow,
  myDonations,
  unreadCount,
  createCampaign,
  createRequest,
  visit,
  checkPage,
  SAGA_TIMEOUT_MS,
} = require('./support');

/** The live status block of a donation's page (a `role=status` region). */
function donationStatus(page) {
  return page.getByRole('main').getByRole('status');
}

/** The header's link to the notifications, with the unread count in its name. */
function notificationsLink(page) {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Notifications/ });
}

/** Fills the donate form on a campaign page, by its labels. */
async function fillDonateForm(page, { amount, currency, anonymous = false, message = '' }) {
  const give = page.getByRole('region', { name: 'Give' });
  await give.getByLabel(`Amount (${currency})`).fill(amount);
  await give.getByLabel('Give anonymously').setChecked(anonymous);
  await give.getByLabel('Message (optional)').fill(message);
  return give.getByRole('button', { name: 'Donate' });
}

test('signing in through the development sign-in, and out again', async ({ page }) => {
  const name = 'Sigrid Signin';
  // A page for signed-in people sends a visitor to sign in, and back after.
  await visit(page, '/giving', 'sign-in-next');
  await expect(page).toHaveURL(/\/sign-in\?next=\/giving$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await expect(page.getByText('Development sign-in.')).toBeVisible();

  const me = await signIn(page, name);
  await expect(page).toHaveURL(/\/giving$/);
  await expect(page.getByRole('heading', { level: 1, name: 'My giving' })).toBeVisible();
  await expect(page.getByRole('main')).toContainText('You have not given yet');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'My giving' })).toBeVisible();
  await expect(notificationsLink(page)).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Sign in' })).toHaveCount(0);
  await checkPage(page, 'giving-empty');
  // The first sign-in made the person's profile, under the name they picked.
  const profile = await api('profile', 'GET', '/profiles/me', { token: me.token, expected: 200 });
  expect(profile.display_name).toBe(name);

  await nav.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(`${urls.site()}/`);
  await expect(nav.getByRole('link', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByText(`Signed in as ${name}`)).toHaveCount(0);
  await expect(nav.getByRole('link', { name: 'My giving' })).toHaveCount(0);
  const cookies = await page.context().cookies(urls.site());
  expect(cookies.filter((c) => c.name === 'hearth_session' && c.value !== '')).toEqual([]);
});

test('a donor finds a campaign, gives, and sees it confirmed live; its owner is told', async ({
  page,
  otherPage: ownerPage,
}) => {
  // Two people, two browsers, two sign-ins, the saga and the header's
  // live count: more than the default 30 s under load.
  test.setTimeout(60_000);
  const donorName = 'Dana Lampgiver';
  const title = 'Lamp oil for the lighthouse';

  // The owner signs in in a browser of their own and makes the campaign
  // through the API (the site cannot make one yet).
  const owner = await signIn(ownerPage, 'Oskar Lighthouse');
  const campaign = await createCampaign(owner, {
    title,
    description: 'The keeper needs oil for the winter nights.',
    goal_minor: 40_000,
    currency: 'USD',
  });
  // "Your campaign is live" arrives first; the header shows it on load.
  await expect
    .poll(() => unreadCount(owner), { timeout: SAGA_TIMEOUT_MS, message: 'the owner told the campaign is live' })
    .toBe(1);
  await ownerPage.goto(`${urls.site()}/campaigns/${campaign.id}`);
  await expect(notificationsLink(ownerPage)).toHaveText(/^Notifications\s*1$/);
  const ownerNavigations = await watchNavigations(ownerPage);

  // The donor signs in, finds the campaign by search and opens it.
  const donor = await signIn(page, donorName);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Explore' }).click();
  const search = page.getByRole('search', { name: 'Campaigns and requests' });
  await search.getByLabel('Search').fill('lighthouse');
  await search.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('region', { name: 'Campaigns' }).getByRole('link', { name: title }).click();
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await checkPage(page, 'campaign-signed-in');

  const donate = await fillDonateForm(page, {
    amount: '12.50',
    currency: 'USD',
    anonymous: true,
    message: 'Keep the light on',
  });
  // campaign-service decides under a lock on the campaign's row; holding
  // it keeps the donation pending for as long as the test looks.
  const hold = await holdRow('campaign', 'campaign.campaigns', campaign.id);
  let navigations;
  try {
    await donate.click();
    await expect(page).toHaveURL(/\/donations\/[0-9a-f-]{36}$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Your donation of 12.50 USD' })).toBeVisible();
    await expect(donationStatus(page)).toContainText('Pending');
    await expect(page.getByRole('main')).toContainText('Given anonymously');
    await checkPage(page, 'donation-pending');
    navigations = await watchNavigations(page);
  } finally {
    await hold.release();
  }
  await expect(donationStatus(page)).toContainText('Confirmed', { timeout: SAGA_TIMEOUT_MS });
  await expect(donationStatus(page)).toContainText('Thank you! Your donation of 12.50 USD reached the campaign.');
  await navigations.check();
  await checkPage(page, 'donation-confirmed');

  const given = await myDonations(donor);
  expect(given.map((d) => [d.status, d.amount_minor, d.currency, d.anonymous, d.message])).toEqual([
    ['confirmed', 1250, 'USD', true, 'Keep the light on'],
  ]);

  // "My giving" lists it, confirmed.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My giving' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'My giving' })).toBeVisible();
  const row = page.getByRole('main').getByRole('listitem').filter({ hasText: '12.50 USD' });
  await expect(row).toHaveCount(1);
  await expect(row.getByRole('status')).toContainText('Confirmed');
  await expect(row.getByRole('button', { name: 'Cancel this gift' })).toHaveCount(0);
  await checkPage(page, 'giving');

  // The owner's header count rose by itself (it asks every 5 s), and the
  // notification names no one: the donor gave anonymously.
  await expect(notificationsLink(ownerPage)).toHaveText(/^Notifications\s*2$/, { timeout: SAGA_TIMEOUT_MS });
  await ownerNavigations.check();
  await notificationsLink(ownerPage).click();
  await expect(ownerPage.getByRole('heading', { level: 1, name: 'Notifications' })).toBeVisible();
  const arrived = ownerPage.getByRole('main').getByRole('listitem').filter({ hasText: 'A donation arrived' });
  await expect(arrived).toHaveCount(1);
  await expect(arrived).toContainText(`Someone gave 12.50 USD to \u201c${title}\u201d.`);
  await expect(ownerPage.getByRole('main')).not.toContainText(donorName);
  await checkPage(ownerPage, 'notifications');

  // Reading it empties the count.
  await ownerPage.getByRole('button', { name: 'Mark all read' }).click();
  await expect(ownerPage.getByRole('main').getByRole('button', { name: 'Mark read' })).toHaveCount(0);
  await expect(notificationsLink(ownerPage)).toHaveText(/^Notifications\s*$/);

  // On the campaign page, as its owner sees it, the gift is Someone's.
  await arrived.getByRole('link', { name: 'A donation arrived' }).click();
  await expect(ownerPage.getByRole('heading', { level: 1, name: title })).toBeVisible();
  const gift = ownerPage.getByRole('region', { name: 'Recent donations' }).getByRole('listitem');
  await expect(gift).toHaveCount(1);
  await expect(gift).toContainText('Someone');
  await expect(gift).toContainText('12.50 USD');
  await expect(gift).toContainText('Keep the light on');
  await expect(gift.getByRole('link')).toHaveCount(0);
  await expect(ownerPage.locator('body')).not.toContainText(donorName);
  await expect(ownerPage.locator('body')).not.toContainText(donor.id);
});

test('a pledge to a request is confirmed live', async ({ page }) => {
  const requester = await person('Ruth Woolgatherer');
  const title = 'Sleeping bags for the winter refuge';
  const request = await createRequest(requester, {
    title,
    description: 'Ten beds and a cold winter.',
    category: 'shelter',
    quantity_needed: 10,
  });

  await signIn(page, 'Pim Pledger');
  await page.goto(`${urls.site()}/requests/${request.id}`);
  await checkPage(page, 'request-signed-in');
  const pledge = page.getByRole('region', { name: 'Pledge' });
  await pledge.getByLabel('Quantity').fill('3');
  await pledge.getByLabel('What you give').fill('sleeping bags');
  await pledge.getByLabel('Message (optional)').fill('Warm nights');
  // request-service decides under a lock on the request's row.
  const hold = await holdRow('main', 'request.requests', request.id);
  let navigations;
  try {
    await pledge.getByRole('button', { name: 'Pledge' }).click();
    await expect(page).toHaveURL(/\/donations\/[0-9a-f-]{36}$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Your pledge of 3 × sleeping bags' })).toBeVisible();
    await expect(donationStatus(page)).toContainText('Pending');
    navigations = await watchNavigations(page);
  } finally {
    await hold.release();
  }
  await expect(donationStatus(page)).toContainText('Confirmed', { timeout: SAGA_TIMEOUT_MS });
  await expect(donationStatus(page)).toContainText('Thank you! Your pledge of 3 × sleeping bags reached the request.');
  await navigations.check();
  await checkPage(page, 'pledge-confirmed');

  await page.getByRole('link', { name: 'Back to where you gave' }).click();
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  const progress = page.getByRole('region', { name: 'Progress' });
  await expect(progress.getByRole('definition').nth(1)).toHaveText('3');
});

test('a gift to a campaign paused meanwhile is refused, in plain words', async ({ page }) => {
  const owner = await person('Petra Pauser');
  const title = 'Paint for the youth club';
  const campaign = await createCampaign(owner, { title, goal_minor: 20_000, currency: 'GBP' });

  await signIn(page, 'Gus Latecomer');
  await page.goto(`${urls.site()}/campaigns/${campaign.id}`);
  const donate = await fillDonateForm(page, { amount: '5', currency: 'GBP' });
  // The owner pauses it while the donor's form is open.
  await api('campaign', 'POST', `/campaigns/${campaign.id}/status`, {
    token: owner.token,
    body: { status: 'paused' },
    expected: 200,
  });
  await donate.click();
  await expect(page).toHaveURL(/\/donations\/[0-9a-f-]{36}$/);
  await expect(donationStatus(page)).toContainText('Refused', { timeout: SAGA_TIMEOUT_MS });
  await expect(donationStatus(page)).toContainText(
    'Your donation of 5.00 GBP was not accepted: the campaign is not taking donations right now (it may be paused).',
  );
  await checkPage(page, 'donation-refused-paused');

  // Opened now, the campaign page offers no form.
  await page.getByRole('link', { name: 'Back to where you gave' }).click();
  await expect(page.getByRole('region', { name: 'Give' })).toContainText('This campaign is not taking donations now.');
  await expect(page.getByRole('button', { name: 'Donate' })).toHaveCount(0);
});

test('a gift in another currency than the campaign’s is refused, in plain words', async ({ page }) => {
  // The donate form gives in the campaign's currency alone (a hidden
  // field); an app can send another through the API, and the site shows
  // the outcome to the same person.
  const owner = await person('Chidi Currency');
  const campaign = await createCampaign(owner, { title: 'Books for the library', goal_minor: 90_000, currency: 'USD' });
  const donor = await signIn(page, 'Eva Eurogiver');
  const made = await api('donation', 'POST', '/donations', {
    token: donor.token,
    body: { kind: 'money', campaign_id: campaign.id, amount_minor: 700, currency: 'EUR' },
    expected: 201,
  });

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My giving' }).click();
  const row = page.getByRole('main').getByRole('listitem').filter({ hasText: '7.00 EUR' });
  await expect(row.getByRole('status')).toContainText('Refused', { timeout: SAGA_TIMEOUT_MS });
  await expect(row.getByRole('status')).toContainText('the campaign takes donations in another currency');
  await checkPage(page, 'giving-refused-currency');
  await row.getByRole('link', { name: '7.00 EUR' }).click();
  await expect(page).toHaveURL(new RegExp(`/donations/${made.id}$`));
  await expect(donationStatus(page)).toContainText(
    'Your donation of 7.00 EUR was not accepted: the campaign takes donations in another currency.',
  );
});

/**
 * `name` sends the donate form with an amount of too many decimals: the form
 * comes back with the problem, as typed, and gives nothing; corrected, it goes.
 * With JavaScript off axe-core cannot run (`axe: false`).
 */
async function sendFormWithProblem(page, name, { axe = true } = {}) {
  const owner = await person(`${name}'s potter`);
  const title = `A kiln for ${name}'s pottery`;
  const campaign = await createCampaign(owner, { title, goal_minor: 50_000, currency: 'USD' });
  const donor = await signIn(page, name);
  await page.goto(`${urls.site()}/campaigns/${campaign.id}`);
  const donate = await fillDonateForm(page, { amount: '12.345', currency: 'USD', message: 'Fire it up' });
  const answered = page.waitForResponse(
    (r) => r.request().method() === 'POST' && r.url().endsWith(`/campaigns/${campaign.id}/donations`),
  );
  await donate.click();
  expect((await answered).status(), 'the form comes back: 422').toBe(422);
  // The answer is here: the page shows it at once, or never.
  await expect(page.getByRole('heading', { level: 1, name: `Give to ${title}` })).toBeVisible({ timeout: 5_000 });
  await expect(page.getByRole('alert')).toContainText('Your donation was not sent');
  await expect(page.getByRole('alert')).toContainText('Amount:');
  await expect(page.getByLabel('Amount (USD)')).toHaveValue('12.345');
  await expect(page.getByLabel('Message (optional)')).toHaveValue('Fire it up');
  expect(await myDonations(donor)).toEqual([]);
  await checkPage(page, axe ? 'give-with-problem' : 'give-with-problem-no-js', { axe });

  await page.getByLabel('Amount (USD)').fill('12.35');
  await page.getByRole('button', { name: 'Donate' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Your donation of 12.35 USD' })).toBeVisible();
  expect((await myDonations(donor)).map((d) => d.amount_minor)).toEqual([1235]);
}

test('a donate form with a problem comes back with it, as typed', async ({ page }) => {
  await sendFormWithProblem(page, 'Hal Halfpenny');
});

/**
 * A campaign of a neighbour's, and `name` signed in on its page with the
 * donate form filled in.
 */
async function readyToGive(page, name) {
  const owner = await person(`${name}'s neighbour`);
  const campaign = await createCampaign(owner, {
    title: `Gutters for ${name}'s street`,
    goal_minor: 10_000,
    currency: 'EUR',
  });
  const donor = await signIn(page, name);
  await page.goto(`${urls.site()}/campaigns/${campaign.id}`);
  const donate = await fillDonateForm(page, { amount: '3.50', currency: 'EUR', message: 'Once' });
  return { campaign, donor, donate };
}

/** Donate was sent: the page of the donation of 3.50 EUR. Answers its URL. */
async function onTheDonationPage(page) {
  await expect(page).toHaveURL(/\/donations\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Your donation of 3.50 EUR' })).toBeVisible();
  return page.url();
}

/**
 * Back from the donation's page to the campaign's form, filled in as before
 * (the browser keeps no amount: the field is autocomplete=off), and Donate
 * again: the same donation's page.
 */
async function backAndSendAgain(page, campaign, first) {
  await page.goBack();
  await expect(page).toHaveURL(new RegExp(`/campaigns/${campaign.id}$`));
  const donate = await fillDonateForm(page, { amount: '3.50', currency: 'EUR', message: 'Once' });
  await donate.click();
  expect(await onTheDonationPage(page)).toBe(first);
}

/** `donor` gave once: one donation, the one whose page `url` is. */
async function gaveOnce(donor, url) {
  const given = await myDonations(donor);
  expect(given.map((d) => [d.amount_minor, d.currency, d.message])).toEqual([[350, 'EUR', 'Once']]);
  expect(url).toBe(`${urls.site()}/donations/${given[0].id}`);
}

test('a double click on Donate gives once', async ({ page }) => {
  const { donor, donate } = await readyToGive(page, 'Dot Doubleclick');
  await donate.dblclick();
  await gaveOnce(donor, await onTheDonationPage(page));
});

test('going back to the donate form and sending it again gives once', async ({ page }) => {
  const { campaign, donor, donate } = await readyToGive(page, 'Bea Backagain');
  await donate.click();
  const first = await onTheDonationPage(page);
  await backAndSendAgain(page, campaign, first);
  await gaveOnce(donor, first);
});

test.describe('with JavaScript off', () => {
  test.use({ javaScriptEnabled: false });

  test('a donate form with a problem comes back with it, as typed', async ({ page }) => {
    // axe-core needs JavaScript: the JavaScript-on test checks this page.
    await sendFormWithProblem(page, 'Jo Nojs-Halfpenny', { axe: false });
  });

  test('a double click, and going back and sending again, give once', async ({ page }) => {
    const { campaign, donor, donate } = await readyToGive(page, 'Noel Noscript');
    await donate.dblclick();
    const first = await onTheDonationPage(page);
    await backAndSendAgain(page, campaign, first);
    await gaveOnce(donor, first);
  });
});
