// @ts-check
// Talking and rating through the site (issue 18, 9.4): a donor gives on the
// donate page, then donor and recipient message each other about the
// donation (new messages arrive without a reload) and each rates the other,
// all through the pages. The recipient's campaign is made through the API
// (the campaign form is another part of the site). Then the same pages for
// the wrong callers: a visitor, a third person, bad input.
const {
  test,
  expect,
  urls,
  api,
  signIn,
  watchNavigations,
  createCampaign,
  unique,
  person,
  visit,
  checkPage,
  donateThroughPage,
  SAGA_TIMEOUT_MS,
} = require('./support');

/** The header's link to the messages, with the unread count in its name. */
function messagesLink(page) {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Messages/ });
}

/** Rates on a rate page, retrying while profile-service has not heard of the donation yet. */
async function rateThroughPage(page, donationId, { score, comment }) {
  await expect(async () => {
    await page.goto(`${urls.site()}/donations/${donationId}/rate`);
    await page.getByLabel(`${score} out of 5`).check();
    await page.getByLabel('Comment (optional)').fill(comment);
    await page.getByRole('button', { name: 'Rate' }).click();
    await expect(page.getByRole('main')).toContainText('Thank you: your rating is saved.', { timeout: 1_000 });
  }).toPass({ timeout: SAGA_TIMEOUT_MS });
}

test('donor and recipient message each other about a donation and rate each other', async ({
  page,
  otherPage: recipientPage,
}) => {
  test.setTimeout(120_000);
  const donorName = unique('Dora');
  const recipientName = unique('Rafe');
  const recipient = await signIn(recipientPage, recipientName);
  const campaign = await createCampaign(recipient, {
    title: unique('Warm soup for the shelter '),
    goal_minor: 50_000,
    currency: 'USD',
  });

  // The donor gives through the donate page.
  const donor = await signIn(page, donorName);
  await page.goto(`${urls.site()}/campaigns/${campaign.id}`);
  const donationId = await donateThroughPage(page, { amount: '20.00' });
  await checkPage(page, 'donation-with-talk');

  // From the donation, to the thread with its recipient, about it.
  await page.getByRole('link', { name: 'Message about this donation' }).click();
  await expect(page).toHaveURL(new RegExp(`/messages/${recipient.id}\\?about=${donationId}$`));
  await expect(page.getByRole('heading', { level: 1, name: `Messages with ${recipientName}` })).toBeVisible();
  await expect(page.getByRole('main')).toContainText('No messages yet');
  await checkPage(page, 'thread-empty');

  // An empty message is not sent: said beside the box.
  const box = page.getByLabel('Message about this donation');
  await box.fill('   ');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByText('Write a message first.')).toBeVisible();
  await box.fill('Hello! I hope the soup keeps everyone warm.');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByRole('main').getByRole('listitem')).toHaveCount(1);
  await expect(page.getByRole('main')).toContainText('Hello! I hope the soup keeps everyone warm.');
  await expect(page.getByLabel('Message about this donation')).toHaveValue('');
  const donorNavigations = await watchNavigations(page);

  // The recipient's header counts it, and the conversation says so.
  await recipientPage.goto(`${urls.site()}/messages`);
  await expect(messagesLink(recipientPage)).toHaveText(/^Messages\s*1$/, { timeout: SAGA_TIMEOUT_MS });
  const conversation = recipientPage.getByRole('main').getByRole('listitem').filter({ hasText: donorName });
  await expect(conversation).toContainText('1 unread');
  await expect(conversation).toContainText('Hello! I hope the soup');
  await checkPage(recipientPage, 'conversations');
  await conversation.getByRole('link', { name: donorName }).click();
  await expect(recipientPage.getByRole('heading', { level: 1, name: `Messages with ${donorName}` })).toBeVisible();
  await expect(recipientPage.getByRole('main')).toContainText('Hello! I hope the soup keeps everyone warm.');
  // Opening the thread read it.
  await expect(messagesLink(recipientPage)).toHaveText(/^Messages\s*$/, { timeout: SAGA_TIMEOUT_MS });

  // The recipient answers about the same donation, from Received.
  await recipientPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Received' }).click();
  const gift = recipientPage.getByRole('main').getByRole('listitem').filter({ hasText: `${donorName} gave` });
  await gift.getByRole('link', { name: 'Message about this donation' }).click();
  await expect(recipientPage).toHaveURL(new RegExp(`/messages/${donor.id}\\?about=${donationId}$`));
  await recipientPage.getByLabel('Message about this donation').fill('Thank you so much, it arrived.');
  await recipientPage.getByRole('button', { name: 'Send' }).click();
  await expect(recipientPage.getByRole('main').getByRole('listitem')).toHaveCount(2);
  await checkPage(recipientPage, 'thread');

  // The answer appears on the donor's open thread by itself.
  await expect(page.getByRole('main')).toContainText('Thank you so much, it arrived.', { timeout: SAGA_TIMEOUT_MS });
  await donorNavigations.check();
  const sent = await api('messaging', 'GET', `/conversations/${recipient.id}/messages`, {
    token: donor.token,
    expected: 200,
  });
  expect(sent.items.map((m) => [m.sender_id, m.context && m.context.id])).toEqual([
    [recipient.id, donationId],
    [donor.id, donationId],
  ]);

  // The donor rates the recipient: a missing score is said, then it is saved once.
  await page.goto(`${urls.site()}/donations/${donationId}`);
  await page.getByRole('link', { name: 'Rate this exchange' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Rate ${recipientName}` })).toBeVisible();
  await checkPage(page, 'rate');
  await page.getByLabel('Comment (optional)').fill('Kind and quick to answer.');
  await page.getByRole('button', { name: 'Rate' }).click();
  await expect(page.getByText('Score: choose from 1 to 5.')).toBeVisible();
  await expect(page.getByLabel('Comment (optional)')).toHaveValue('Kind and quick to answer.');
  await rateThroughPage(page, donationId, { score: 5, comment: 'Kind and quick to answer.' });
  await page.goto(`${urls.site()}/donations/${donationId}/rate`);
  await expect(page.getByRole('main')).toContainText('You have already rated this exchange');
  await expect(page.getByRole('button', { name: 'Rate' })).toHaveCount(0);
  await page.goto(`${urls.site()}/donations/${donationId}`);
  await expect(page.getByRole('link', { name: 'Message about this donation' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Rate this exchange' })).toHaveCount(0);

  // The recipient rates the donor, from Received.
  await recipientPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Received' }).click();
  await gift.getByRole('link', { name: 'Rate this exchange' }).click();
  await expect(recipientPage.getByRole('heading', { level: 1, name: `Rate ${donorName}` })).toBeVisible();
  await rateThroughPage(recipientPage, donationId, { score: 4, comment: 'A generous neighbour.' });
  await recipientPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Received' }).click();
  await expect(gift.getByRole('link', { name: 'Message about this donation' })).toBeVisible();
  await expect(gift.getByRole('link', { name: 'Rate this exchange' })).toHaveCount(0);
  await checkPage(recipientPage, 'received-rated');

  // Each sees the rating received on their own profile page.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Profile' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Your profile' })).toBeVisible();
  const received = page.getByRole('region', { name: 'Ratings you received' });
  await expect(received).toContainText('4 out of 5');
  await expect(received).toContainText('A generous neighbour.');
  await checkPage(page, 'my-profile');
  await visit(recipientPage, `/people/${recipient.id}`, 'profile-rated');
  await expect(recipientPage.getByRole('main')).toContainText('5 out of 5');
  await expect(recipientPage.getByRole('main')).toContainText('Kind and quick to answer.');
});

test('my profile is edited in place; a field error keeps what was typed', async ({ page }) => {
  const name = unique('Petra');
  const me = await signIn(page, name);
  await visit(page, '/profile', 'my-profile-new');
  await expect(page.getByLabel('Display name')).toHaveValue(name);
  await expect(page.getByRole('main')).toContainText('No ratings yet');

  await page.getByLabel('About you (optional)').fill('I knit hats for the winter market.');
  await page.getByLabel('Location (optional)').fill('Leeds');
  await page.getByLabel('Picture address (optional, https)').fill('http://images.example.org/me.jpg');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByText('Picture address: must be an https:// address.')).toBeVisible();
  await expect(page.getByLabel('About you (optional)')).toHaveValue('I knit hats for the winter market.');
  await expect(page.getByLabel('Picture address (optional, https)')).toHaveAttribute('aria-invalid', 'true');
  await checkPage(page, 'my-profile-error');

  const newName = unique('Petra K');
  await page.getByLabel('Display name').fill(newName);
  await page.getByLabel('Picture address (optional, https)').fill('https://images.example.org/me.jpg');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByRole('main')).toContainText('Your profile is saved.');
  await expect(page.getByText(`Signed in as ${newName}`)).toBeVisible();
  const saved = await api('profile', 'GET', '/profiles/me', { token: me.token, expected: 200 });
  expect([saved.display_name, saved.bio, saved.location, saved.avatar_url]).toEqual([
    newName,
    'I knit hats for the winter market.',
    'Leeds',
    'https://images.example.org/me.jpg',
  ]);
  await visit(page, `/people/${me.id}`, 'profile-edited');
  await expect(page.getByRole('heading', { level: 1, name: newName })).toBeVisible();
  await expect(page.getByRole('main')).toContainText('Leeds');
});

test('messages, rating and the profile form answer visitors, other people and forged forms', async ({
  page,
  otherPage,
  browser,
}) => {
  test.setTimeout(90_000);
  const recipient = await signIn(otherPage, unique('Rosa'));
  const campaign = await createCampaign(recipient, {
    title: unique('Books for the library '),
    goal_minor: 10_000,
    currency: 'USD',
  });
  const donor = await signIn(page, unique('Dirk'));
  await page.goto(`${urls.site()}/campaigns/${campaign.id}`);
  const donationId = await donateThroughPage(page, { amount: '5.00' });

  // A visitor is asked to sign in, and comes back after.
  const visitorContext = await browser.newContext();
  try {
    const visitor = await visitorContext.newPage();
    for (const path of ['/messages', '/profile', `/donations/${donationId}/rate`, `/donations/${donationId}/message`]) {
      await visitor.goto(urls.site() + path);
      await expect(visitor).toHaveURL(new RegExp(`/sign-in\\?next=${encodeURIComponent(path).replace(/[.?]/g, '\\$&')}$`));
    }
    // No live stream for a visitor either.
    const live = await visitor.request.get(`${urls.site()}/live`);
    expect(live.status()).toBe(401);
  } finally {
    await visitorContext.close();
  }

  // A third person: the donation's pages do not exist for them, and a
  // message claiming to be about it is refused in words.
  const thirdContext = await browser.newContext();
  try {
    const third = await thirdContext.newPage();
    const stranger = await signIn(third, unique('Stan'));
    await visit(third, `/donations/${donationId}/rate`, 'rate-not-a-party', { status: 404 });
    await visit(third, `/donations/${donationId}/message`, 'message-not-a-party', { status: 404 });
    await third.goto(`${urls.site()}/messages/${donor.id}?about=${donationId}`);
    await third.getByLabel('Message about this donation').fill('I gave that, not you.');
    const refused = third.waitForResponse((r) => r.request().method() === 'POST');
    await third.getByRole('button', { name: 'Send' }).click();
    expect((await refused).status()).toBe(409);
    await expect(third.getByText('Only the donor and the recipient of a donation can message each other')).toBeVisible();
    await expect(third.getByLabel('Message about this donation')).toHaveValue('I gave that, not you.');
    await checkPage(third, 'message-not-eligible');
    const theirs = await api('messaging', 'GET', `/conversations/${donor.id}/messages`, {
      token: stranger.token,
      expected: 200,
    });
    expect(theirs.items).toEqual([]);
    // Nor can they read the donor and recipient's thread: theirs is empty.
    await third.goto(`${urls.site()}/messages/${recipient.id}`);
    await expect(third.getByRole('main')).toContainText('No messages yet');
  } finally {
    await thirdContext.close();
  }

  // A form without its CSRF token is the 403 page, and sends nothing.
  const forged = await page.request.post(`${urls.site()}/messages/${recipient.id}`, {
    form: { csrf: 'forged', key: crypto.randomUUID(), body: 'forged' },
    maxRedirects: 0,
  });
  expect(forged.status()).toBe(403);
  const forgedRating = await page.request.post(`${urls.site()}/donations/${donationId}/rate`, {
    form: { csrf: 'forged', key: crypto.randomUUID(), score: '1' },
    maxRedirects: 0,
  });
  expect(forgedRating.status()).toBe(403);
  const thread = await api('messaging', 'GET', `/conversations/${recipient.id}/messages`, {
    token: donor.token,
    expected: 200,
  });
  expect(thread.items).toEqual([]);

  // A score out of range, sent by hand, is refused beside the scores.
  await page.goto(`${urls.site()}/donations/${donationId}/rate`);
  await page.getByLabel('3 out of 5').check();
  await page.locator('input[name="score"]:checked').evaluate((el) => el.setAttribute('value', '9'));
  await page.getByRole('button', { name: 'Rate' }).click();
  await expect(page.getByText('Score: choose from 1 to 5.')).toBeVisible();
});

test.describe('with JavaScript off', () => {
  test.use({ javaScriptEnabled: false });

  test('a conversation starts from a profile and a report is filed, as plain HTML', async ({ page }) => {
    const theirName = unique('Tova');
    const them = await person(theirName);
    await signIn(page, unique('Ned'));
    await page.goto(`${urls.site()}/people/${them.id}`);
    await page.getByRole('link', { name: 'Send a message' }).click();
    await expect(page.getByRole('heading', { level: 1, name: `Messages with ${theirName}` })).toBeVisible();
    await page.getByLabel('Message', { exact: true }).fill('Hello without scripts.');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(page.getByRole('main').getByRole('listitem')).toHaveCount(1);
    await expect(page.getByRole('main')).toContainText('Hello without scripts.');
    await checkPage(page, 'thread-no-js', { axe: false });
    const theirs = await api('messaging', 'GET', '/conversations?limit=5', { token: them.token, expected: 200 });
    expect(theirs.items.map((c) => [c.last_message.body, c.unread_count])).toEqual([['Hello without scripts.', 1]]);

    await page.goto(`${urls.site()}/people/${them.id}`);
    await page.getByRole('link', { name: 'Report this person' }).click();
    await page.getByLabel('Reason').selectOption({ label: 'Harassment' });
    await page.getByLabel('Details (optional)').fill('Testing without scripts.');
    await page.getByRole('button', { name: 'Send report' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Thank you for your report' })).toBeVisible();
    await checkPage(page, 'report-filed-no-js', { axe: false });
  });
});
