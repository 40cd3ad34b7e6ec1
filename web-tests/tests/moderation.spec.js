// @ts-check
// Reporting and moderating through the site (issue 18, 9.5): a third person
// reports a campaign from its page (a second report is explained, not
// filed); a moderator finds it in the console, hides it, and the campaign
// is a 404 to the public; the reporter is notified; the moderator suspends
// the campaign's owner, whose next donation attempt shows the suspension
// page, and reinstates both. The campaigns are made through the API (the
// campaign form is another part of the site). Then the console for the
// wrong callers.
const {
  test,
  expect,
  urls,
  api,
  person,
  token,
  signIn,
  signInAsStaff,
  watchNavigations,
  createCampaign,
  startCampaign,
  unique,
  visit,
  checkPage,
  SAGA_TIMEOUT_MS,
} = require('./support');

/** The open reports on `targetId`, as profile-service lists them to staff. */
async function openReportsOn(targetId) {
  const staffToken = token(crypto.randomUUID(), { admin: true });
  const page = await api('profile', 'GET', '/reports?status=open&limit=100', { token: staffToken, expected: 200 });
  return page.items.filter((r) => r.target_id === targetId);
}

test('a report is moderated: the campaign hidden, its owner suspended and reinstated', async ({
  page: moderatorPage,
  otherPage: ownerPage,
  browser,
}) => {
  test.setTimeout(150_000);
  const ownerName = unique('Olga');
  const reporterName = unique('Remy');
  const owner = await signIn(ownerPage, ownerName);
  const title = unique('Miracle cure fund ');
  // The owner starts it through the site; another person's campaign, where
  // the owner later tries to give, is made through the API.
  const campaign = { id: await startCampaign(ownerPage, { title, goal: '1000' }) };
  const elsewhere = await createCampaign(await person('Someone Else'), {
    title: unique('Coats for the night bus '),
    goal_minor: 10_000,
    currency: 'USD',
  });

  // A third person reports the campaign from its page.
  const reporterContext = await browser.newContext();
  try {
    const reporterPage = await reporterContext.newPage();
    const reporter = await signIn(reporterPage, reporterName);
    await reporterPage.goto(`${urls.site()}/campaigns/${campaign.id}`);
    await reporterPage.getByRole('link', { name: 'Report this campaign' }).click();
    await expect(reporterPage.getByRole('heading', { level: 1, name: 'Report this campaign' })).toBeVisible();
    await checkPage(reporterPage, 'report');
    // No reason: said beside the field, the details kept.
    await reporterPage.getByLabel('Details (optional)').fill('It promises a cure for everything.');
    await reporterPage.getByRole('button', { name: 'Send report' }).click();
    await expect(reporterPage.getByText('Reason: choose one.')).toBeVisible();
    await expect(reporterPage.getByLabel('Details (optional)')).toHaveValue('It promises a cure for everything.');
    await reporterPage.getByLabel('Reason').selectOption({ label: 'Fraud or a scam' });
    await reporterPage.getByRole('button', { name: 'Send report' }).click();
    await expect(reporterPage.getByRole('heading', { level: 1, name: 'Thank you for your report' })).toBeVisible();
    await checkPage(reporterPage, 'report-filed');
    // A second report while the first is open is explained, not filed.
    await reporterPage.goto(`${urls.site()}/report?type=campaign&id=${campaign.id}`);
    await reporterPage.getByLabel('Reason').selectOption({ label: 'Spam' });
    await reporterPage.getByRole('button', { name: 'Send report' }).click();
    await expect(reporterPage.getByRole('heading', { level: 1, name: 'You have already reported this' })).toBeVisible();
    expect((await openReportsOn(campaign.id)).map((r) => [r.reporter_id, r.reason])).toEqual([
      [reporter.id, 'fraud'],
    ]);
    // The console is not theirs.
    await visit(reporterPage, '/moderation', 'moderation-forbidden', { status: 403 });
    await expect(reporterPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Moderation' })).toHaveCount(0);

    // The moderator finds it in the console, newest first, in context.
    await signInAsStaff(moderatorPage, unique('Mo'));
    await moderatorPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Moderation' }).click();
    await expect(moderatorPage.getByRole('heading', { level: 1, name: 'Moderation' })).toBeVisible();
    const card = moderatorPage.getByRole('article', { name: `Report: Fraud or a scam, Campaign \u201c${title}\u201d` });
    await expect(card).toContainText(reporterName);
    await expect(card).toContainText('It promises a cure for everything.');
    await expect(card).toContainText('Open for donations');
    await expect(card).toContainText(ownerName);
    await checkPage(moderatorPage, 'moderation');
    await card.getByRole('link', { name: 'Resolve this report' }).click();
    await expect(moderatorPage.getByRole('heading', { level: 1, name: 'Report: Fraud or a scam' })).toBeVisible();
    await checkPage(moderatorPage, 'moderation-report');

    // A dismissal with an action is refused beside the form.
    await moderatorPage.getByLabel('Dismiss: nothing wrong').check();
    await moderatorPage.getByLabel('Action', { exact: true }).selectOption({ label: 'Hide what was reported' });
    await moderatorPage.getByRole('button', { name: 'Resolve report' }).click();
    await expect(moderatorPage.getByText('Action: a dismissed report takes no action.')).toBeVisible();
    await expect(moderatorPage.getByLabel('Action', { exact: true })).toHaveValue('hide_target');

    // Actioned with hide_target: the campaign becomes suspended, shown live.
    await moderatorPage.getByLabel('Action it').check();
    await moderatorPage.getByLabel('Note to the reporter (optional)').fill('Removed: medical claims.');
    await moderatorPage.getByRole('button', { name: 'Resolve report' }).click();
    const outcome = moderatorPage.locator('.outcome');
    await expect(outcome).toContainText('Resolved: actioned');
    const navigations = await watchNavigations(moderatorPage);
    await expect(outcome).toContainText('Suspended', { timeout: SAGA_TIMEOUT_MS });
    await navigations.check();
    await expect(moderatorPage.getByRole('button', { name: 'Resolve report' })).toHaveCount(0);
    await checkPage(moderatorPage, 'moderation-resolved');

    // The public, the reporter included, gets the 404 page.
    await visit(reporterPage, `/campaigns/${campaign.id}`, 'campaign-hidden', { status: 404 });
    // The reporter is told.
    await expect(async () => {
      await reporterPage.goto(`${urls.site()}/notifications`);
      await expect(reporterPage.getByRole('main')).toContainText('Your report was reviewed', { timeout: 1_000 });
    }).toPass({ timeout: SAGA_TIMEOUT_MS });
    await expect(reporterPage.getByRole('main')).toContainText('acted on it');

    // The moderator suspends the campaign's owner, with a reason.
    await moderatorPage.getByLabel(`Reason told to ${ownerName} (optional)`).fill('Fraudulent fundraising.');
    await moderatorPage.getByRole('button', { name: `Suspend ${ownerName}` }).click();
    await expect(moderatorPage.getByRole('button', { name: `Reinstate ${ownerName}` })).toBeVisible();
    const standing = await api('profile', 'GET', `/profiles/${owner.id}`, { expected: 200 });
    expect(standing.status).toBe('suspended');

    // The owner's next donation attempt shows the suspension page.
    await expect(async () => {
      await ownerPage.goto(`${urls.site()}/campaigns/${elsewhere.id}`);
      const give = ownerPage.getByRole('region', { name: 'Give' });
      await give.getByLabel('Amount (USD)').fill('3.00');
      await give.getByRole('button', { name: 'Donate' }).click();
      await expect(ownerPage.getByRole('heading', { level: 1, name: 'Your account is suspended' })).toBeVisible({
        timeout: 2_000,
      });
    }).toPass({ timeout: SAGA_TIMEOUT_MS });
    await checkPage(ownerPage, 'donate-suspended');

    // Reinstated, person and campaign, from the same page.
    await moderatorPage.getByRole('button', { name: `Reinstate ${ownerName}` }).click();
    await expect(moderatorPage.getByRole('button', { name: `Suspend ${ownerName}` })).toBeVisible();
    await moderatorPage.getByRole('button', { name: 'Reinstate the campaign' }).click();
    await expect(moderatorPage.getByRole('button', { name: 'Suspend the campaign' })).toBeVisible();
    await expect(moderatorPage.locator('.outcome')).toContainText('Open for donations');
    await visit(reporterPage, `/campaigns/${campaign.id}`, 'campaign-reinstated');
    expect((await api('profile', 'GET', `/profiles/${owner.id}`, { expected: 200 })).status).toBe('active');
    // Resolved, it left the queue.
    await moderatorPage.goto(`${urls.site()}/moderation`);
    await expect(moderatorPage.getByRole('article', { name: new RegExp(title) })).toHaveCount(0);
  } finally {
    await reporterContext.close();
  }
});

test('the console is for staff: visitors sign in, others get the 403 page, forged forms change nothing', async ({
  page,
  otherPage,
}) => {
  test.setTimeout(60_000);
  const target = await person(unique('Tess'));
  // A visitor is sent to sign in.
  await page.goto(`${urls.site()}/moderation`);
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fmoderation$/);

  // A signed-in person who is not staff: the 403 page, and their posts are refused.
  // (Signing in from there would land on the 403 page, which greets no one.)
  await page.goto(`${urls.site()}/sign-in`);
  await signIn(page, unique('Nora'));
  await visit(page, '/moderation', 'moderation-not-staff', { status: 403 });
  await expect(page.getByRole('heading', { level: 1, name: 'Not allowed' })).toBeVisible();
  await page.goto(`${urls.site()}/people/${target.id}`);
  await expect(page.getByRole('button', { name: /^Suspend/ })).toHaveCount(0);
  const csrf = (await page.context().cookies(urls.site())).find((c) => c.name === 'hearth_csrf');
  const suspend = await page.request.post(`${urls.site()}/moderation/people/${target.id}/suspend`, {
    form: { csrf: csrf ? csrf.value : '', reason: 'no', back: '/' },
    maxRedirects: 0,
  });
  expect(suspend.status()).toBe(403);
  expect((await api('profile', 'GET', `/profiles/${target.id}`, { expected: 200 })).status).toBe('active');

  // Staff see the empty-or-not queue, and suspend from a profile page; a
  // forged form (no CSRF token) is the 403 page.
  await signInAsStaff(otherPage, unique('Stella'));
  await visit(otherPage, '/moderation', 'moderation-staff');
  const forged = await otherPage.request.post(`${urls.site()}/moderation/people/${target.id}/suspend`, {
    form: { csrf: 'forged', back: '/' },
    maxRedirects: 0,
  });
  expect(forged.status()).toBe(403);
  await visit(otherPage, `/people/${target.id}`, 'profile-as-staff');
  await otherPage.getByRole('button', { name: /^Suspend/ }).click();
  await expect(otherPage.getByRole('main')).toContainText('This account is suspended.');
  await otherPage.getByRole('button', { name: /^Suspend|^Reinstate/ }).waitFor();
  // Suspending twice is explained, not an error.
  const again = await otherPage.request.post(`${urls.site()}/moderation/people/${target.id}/suspend`, {
    form: { csrf: (await otherPage.context().cookies(urls.site())).find((c) => c.name === 'hearth_csrf').value, back: '/' },
    maxRedirects: 0,
  });
  expect(again.status()).toBe(409);
  expect(await again.text()).toContain('This person is already suspended.');
  await otherPage.getByRole('button', { name: /^Reinstate/ }).click();
  await expect(otherPage.getByRole('main')).not.toContainText('This account is suspended.');
  // An unknown report is the 404 page.
  await visit(otherPage, `/moderation/reports/${crypto.randomUUID()}`, 'moderation-report-missing', { status: 404 });
});
