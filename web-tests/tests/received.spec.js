// @ts-check
// "Received": the gifts to a person's campaigns and requests, and what the
// recipient does with them through the pages: refund a donation (a reason,
// then a confirmation), mark pledges received until the request is
// fulfilled, and cancel a pledge. Donors give through the donate and
// pledge forms; the owners start their campaign and request on the site.
const {
  test,
  expect,
  urls,
  signIn,
  signInAsStaff,
  startCampaign,
  postRequest,
  untilShown,
  visit,
  checkPage,
  SAGA_TIMEOUT_MS,
} = require('./support');

/** The live status block of a donation's page. */
function donationStatus(page) {
  return page.getByRole('main').getByRole('status');
}

/** The Received page's entry for the gift of `what` (e.g. "12.50 USD"). */
function entry(page, what) {
  return page.getByRole('main').getByRole('listitem').filter({ hasText: `gave ${what}` });
}

async function signOut(page) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sign in' })).toBeVisible();
}

/** Pledges through the request page's form and waits for *Confirmed*. */
async function pledge(page, requestId, quantity, item) {
  await page.goto(`${urls.site()}/requests/${requestId}`);
  const form = page.getByRole('region', { name: 'Pledge' });
  await form.getByLabel('Quantity').fill(String(quantity));
  await form.getByLabel('What you give').fill(item);
  await form.getByRole('button', { name: 'Pledge' }).click();
  await expect(donationStatus(page)).toContainText('Confirmed', { timeout: SAGA_TIMEOUT_MS });
}

test('a donor gives; the recipient sees it in Received and refunds it; the total falls and the donor is told', async ({
  page,
  otherPage: ownerPage,
}) => {
  test.setTimeout(90_000);
  const title = 'Boots for the hiking club';
  await visit(page, '/received', 'received-signed-out');
  await expect(page).toHaveURL(/\/sign-in\?next=\/received$/);

  await signIn(ownerPage, 'Hana Hiker');
  await ownerPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Received' }).click();
  await expect(ownerPage.getByRole('main')).toContainText('Nothing received yet.');
  await expect(ownerPage.getByRole('main')).toContainText('You have not started a campaign or posted a request yet.');
  await checkPage(ownerPage, 'received-empty');
  const campaignId = await startCampaign(ownerPage, { title, goal: '400' });

  // The donor gives openly, with a message, through the donate form.
  await signIn(page, 'Dev Donor');
  await page.goto(`${urls.site()}/campaigns/${campaignId}`);
  const give = page.getByRole('region', { name: 'Give' });
  await give.getByLabel('Amount (USD)').fill('12.50');
  await give.getByLabel('Message (optional)').fill('For the muddy trails');
  await give.getByRole('button', { name: 'Donate' }).click();
  await expect(donationStatus(page)).toContainText('Confirmed', { timeout: SAGA_TIMEOUT_MS });

  // The recipient sees it, by the donor's name, with the message.
  await ownerPage.goto(`${urls.site()}/received`);
  const gift = entry(ownerPage, '12.50 USD');
  await expect(gift).toContainText('Dev Donor gave 12.50 USD to Boots for the hiking club');
  await expect(gift).toContainText('For the muddy trails');
  await expect(gift).toContainText('Status: Confirmed');
  await checkPage(ownerPage, 'received');
  await ownerPage.goto(`${urls.site()}/campaigns/${campaignId}`);
  await expect(ownerPage.getByRole('region', { name: 'Progress' })).toContainText('12.50 USD raised');

  // Refund: a reason is asked first; none comes back beside the field.
  await ownerPage.goto(`${urls.site()}/received`);
  await entry(ownerPage, '12.50 USD').getByRole('link', { name: 'Refund 12.50 USD' }).click();
  await expect(ownerPage.getByRole('heading', { level: 1, name: 'Refund 12.50 USD' })).toBeVisible();
  await checkPage(ownerPage, 'refund-reason');
  await ownerPage.getByRole('button', { name: 'Continue' }).click();
  await expect(ownerPage.getByLabel('Reason for the refund')).toHaveAccessibleDescription(/Reason: say why/);
  await ownerPage.getByLabel('Reason for the refund').fill('The club got boots from the council.');
  await ownerPage.getByRole('button', { name: 'Continue' }).click();

  // The confirmation step: nothing is refunded until it is confirmed.
  await expect(ownerPage.getByRole('heading', { level: 2, name: 'Confirm the refund' })).toBeVisible();
  await expect(ownerPage.getByRole('main')).toContainText('Refund 12.50 USD to Dev Donor? This cannot be undone.');
  await expect(ownerPage.getByRole('main')).toContainText('The club got boots from the council.');
  await checkPage(ownerPage, 'refund-confirm');
  await ownerPage.getByRole('button', { name: 'Yes, refund 12.50 USD' }).click();
  await expect(ownerPage).toHaveURL(/\/received$/);
  await expect(entry(ownerPage, '12.50 USD')).toContainText('Status: Refunded');
  await expect(entry(ownerPage, '12.50 USD').getByRole('link', { name: 'Refund 12.50 USD' })).toHaveCount(0);

  // campaign-service reverses the gift: the raised amount falls.
  await ownerPage.goto(`${urls.site()}/campaigns/${campaignId}`);
  await untilShown(ownerPage, () =>
    expect(ownerPage.getByRole('region', { name: 'Progress' })).toContainText('0.00 USD raised', { timeout: 1000 }),
  );
  // The donor is told, with the reason.
  await page.goto(`${urls.site()}/notifications`);
  await untilShown(page, () =>
    expect(page.getByRole('main')).toContainText('Your donation was refunded', { timeout: 1000 }),
  );
  await expect(page.getByRole('main')).toContainText('The club got boots from the council.');
});

test('a request is fulfilled by two pledges, each marked received; a third is cancelled by the recipient', async ({
  page,
  otherPage: ownerPage,
}) => {
  test.setTimeout(120_000);
  const title = 'Bedding for the harbour shelter';
  await signIn(ownerPage, 'Sami Shelter');
  const requestId = await postRequest(ownerPage, { title, category: 'bedding', quantity: 5 });

  await signIn(page, 'Ada Anon');
  await pledge(page, requestId, 2, 'wool blankets');
  await pledge(page, requestId, 1, 'duvet');
  await signOut(page);
  await signIn(page, 'Ben Blanket');
  await pledge(page, requestId, 2, 'fleece blankets');

  // 5 pledged of 5: the quantity cannot go below it, and the page says so.
  await ownerPage.goto(`${urls.site()}/requests/${requestId}/edit`);
  const quantity = ownerPage.getByLabel('Quantity needed');
  await expect(quantity).toHaveAccessibleDescription(/At least 5: 5 pledged and 0 received/);
  await quantity.fill('4');
  await ownerPage.getByRole('button', { name: 'Save changes' }).click();
  await expect(ownerPage.getByLabel('Quantity needed')).toHaveAccessibleDescription(
    /Quantity needed: must be at least 5, what is already pledged or received\./,
  );
  await expect(ownerPage.getByLabel('Quantity needed')).toHaveValue('4');
  await checkPage(ownerPage, 'request-manage-below-pledged');

  // The recipient declines the duvet: its quantity is free again.
  await ownerPage.goto(`${urls.site()}/received`);
  await expect(entry(ownerPage, '1 × duvet')).toContainText('Status: Pledged, not received yet');
  await ownerPage.getByRole('button', { name: 'Cancel the pledge of 1 × duvet' }).click();
  await expect(entry(ownerPage, '1 × duvet')).toContainText('Status: Cancelled');

  // The owner lowers the need to the 4 pledged: as low as it may go.
  // request-service frees the cancelled pledge's quantity when it hears of it.
  await ownerPage.goto(`${urls.site()}/requests/${requestId}/edit`);
  await untilShown(ownerPage, () =>
    expect(ownerPage.getByLabel('Quantity needed')).toHaveAccessibleDescription(/At least 4: 4 pledged/, {
      timeout: 1000,
    }),
  );
  await ownerPage.getByLabel('Quantity needed').fill('4');
  await ownerPage.getByRole('button', { name: 'Save changes' }).click();
  await expect(ownerPage.getByRole('heading', { level: 1, name: title })).toBeVisible();

  // Each pledge marked received moves the bar; the second fulfils it.
  await ownerPage.goto(`${urls.site()}/received`);
  await checkPage(ownerPage, 'received-pledges');
  await ownerPage.getByRole('button', { name: 'Mark 2 × wool blankets received' }).click();
  await expect(entry(ownerPage, '2 × wool blankets')).toContainText('Status: Received');
  await ownerPage.goto(`${urls.site()}/requests/${requestId}`);
  const progress = ownerPage.getByRole('region', { name: 'Progress' });
  // Needed, pledged, fulfilled.
  await untilShown(ownerPage, () =>
    expect(progress.getByRole('definition')).toHaveText(['4', '2', '2'], { timeout: 1000 }),
  );

  await ownerPage.goto(`${urls.site()}/received`);
  await ownerPage.getByRole('button', { name: 'Mark 2 × fleece blankets received' }).click();
  await expect(entry(ownerPage, '2 × fleece blankets')).toContainText('Status: Received');
  await ownerPage.goto(`${urls.site()}/requests/${requestId}`);
  await untilShown(ownerPage, () =>
    expect(ownerPage.getByText('Fulfilled · bedding', { exact: true })).toBeVisible({ timeout: 1000 }),
  );
  await expect(progress.getByRole('definition')).toHaveText(['4', '0', '4']);
  await checkPage(ownerPage, 'request-fulfilled');
});

test('only the recipient and staff open a donation’s refund page', async ({ page, otherPage: ownerPage }) => {
  test.setTimeout(60_000);
  await signIn(ownerPage, 'Rita Recipient');
  const campaignId = await startCampaign(ownerPage, { title: 'Nets for the football club', goal: '90' });
  await signIn(page, 'Gil Giver');
  await page.goto(`${urls.site()}/campaigns/${campaignId}`);
  await page.getByRole('region', { name: 'Give' }).getByLabel('Amount (USD)').fill('5');
  await page.getByRole('button', { name: 'Donate' }).click();
  await expect(donationStatus(page)).toContainText('Confirmed', { timeout: SAGA_TIMEOUT_MS });
  const donationId = new URL(page.url()).pathname.split('/').pop();

  // The donor is not the recipient: the 403 page.
  await visit(page, `/received/${donationId}/refund`, 'refund-forbidden', { status: 403 });
  await expect(page.getByRole('heading', { level: 1, name: 'Not allowed' })).toBeVisible();
  // Staff may refund (donation-service lets them): the reason step shows.
  await page.goto(`${urls.site()}/`);
  await signOut(page);
  await signInAsStaff(page, 'Sol Staff');
  await visit(page, `/received/${donationId}/refund`, 'refund-staff');
  await expect(page.getByLabel('Reason for the refund')).toBeVisible();
  // The recipient's own page.
  await ownerPage.goto(`${urls.site()}/received/${donationId}/refund`);
  await expect(ownerPage.getByRole('heading', { level: 1, name: 'Refund 5.00 USD' })).toBeVisible();
});
