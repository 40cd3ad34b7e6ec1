// @ts-check
// Running a campaign and a request through the site, as their owner would:
// starting one (a field error shown beside its field, then corrected), the
// status moves offered from where it is, an edit met by someone else's, and
// who may open the owner's pages. Everything goes through the pages.
const {
  test,
  expect,
  urls,
  signIn,
  signInAsStaff,
  startCampaign,
  postRequest,
  visit,
  checkPage,
} = require('./support');

/** The owner's status buttons, by their names, in the page's order. */
async function statusButtons(page) {
  return page.getByRole('region', { name: 'Status' }).getByRole('button').allInnerTexts();
}

test('a recipient starts a campaign; a field error is shown beside its field, then corrected', async ({ page }) => {
  const title = 'Roof for the community hall';
  // A visitor is sent to sign in, and back to the form after.
  await visit(page, '/campaigns/new', 'campaign-new-signed-out');
  await expect(page).toHaveURL(/\/sign-in\?next=\/campaigns\/new$/);
  await signIn(page, 'Rhea Roofer');
  await expect(page).toHaveURL(/\/campaigns\/new$/);
  await checkPage(page, 'campaign-new');

  // Too short a title and a plain-http image: campaign-service's 422.
  await page.getByLabel('Title').fill('Hi');
  await page.getByLabel('Description (optional)').fill('The rain comes in over the stage.');
  await page.getByLabel('Category (optional)').fill('community');
  await page.getByLabel('Currency').selectOption('EUR');
  await page.getByLabel('Goal', { exact: true }).fill('1500');
  await page.getByLabel('End date (optional)').fill('2031-06-30');
  await page.getByLabel('Image URL (optional)').fill('http://images.example.org/roof.jpg');
  await page.getByRole('button', { name: 'Publish' }).click();

  await expect(page.getByRole('alert')).toContainText('Your campaign was not saved.');
  const titleField = page.getByLabel('Title');
  await expect(titleField).toHaveValue('Hi');
  await expect(titleField).toHaveAttribute('aria-invalid', 'true');
  await expect(titleField).toHaveAccessibleDescription(/Title: must be 3–120 characters\./);
  await expect(page.getByLabel('Image URL (optional)')).toHaveAttribute('aria-invalid', 'true');
  // What was typed is kept.
  await expect(page.getByLabel('Description (optional)')).toHaveValue('The rain comes in over the stage.');
  await expect(page.getByLabel('Currency')).toHaveValue('EUR');
  await expect(page.getByLabel('Goal', { exact: true })).toHaveValue('1500');
  await expect(page.getByLabel('End date (optional)')).toHaveValue('2031-06-30');
  await checkPage(page, 'campaign-new-problem');

  await titleField.fill(title);
  await page.getByLabel('Image URL (optional)').fill('');
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await expect(page.getByRole('main')).toContainText('Open for donations · community');
  await expect(page.getByRole('region', { name: 'Progress' })).toContainText('0.00 EUR raised of 1,500.00 EUR');
  await checkPage(page, 'campaign-started');
});

test('the owner publishes a draft, pauses, resumes and completes it: only the allowed moves are offered', async ({
  page,
}) => {
  test.setTimeout(60_000);
  const title = 'Tools for the orchard';
  await signIn(page, 'Dora Drafter');
  await startCampaign(page, { title, goal: '300', currency: 'GBP', draft: true });
  await expect(page.getByRole('main')).toContainText('Draft');
  await expect(page.getByRole('button', { name: 'Donate' })).toHaveCount(0);

  await expect(page.getByRole('link', { name: 'Manage this campaign' })).toBeVisible();
  // A draft is public nowhere; its owner finds it again under Received.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Received' }).click();
  const yours = page.getByRole('region', { name: 'Your campaigns and requests' });
  await expect(yours.getByRole('listitem').filter({ hasText: title })).toContainText('Draft');
  await checkPage(page, 'received-own-draft');
  await yours.getByRole('link', { name: `Manage ${title}` }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Manage “${title}”` })).toBeVisible();
  await checkPage(page, 'campaign-manage-draft');
  expect(await statusButtons(page)).toEqual(['Publish', 'Cancel the campaign']);

  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByRole('region', { name: 'Status' })).toContainText('This campaign is Open for donations.');
  expect(await statusButtons(page)).toEqual(['Pause donations', 'Mark as completed', 'Cancel the campaign']);

  await page.getByRole('button', { name: 'Pause donations' }).click();
  await expect(page.getByRole('region', { name: 'Status' })).toContainText('This campaign is Paused.');
  expect(await statusButtons(page)).toEqual(['Resume donations', 'Mark as completed', 'Cancel the campaign']);

  await page.getByRole('button', { name: 'Resume donations' }).click();
  await expect(page.getByRole('region', { name: 'Status' })).toContainText('This campaign is Open for donations.');

  await page.getByRole('button', { name: 'Mark as completed' }).click();
  await expect(page.getByRole('region', { name: 'Status' })).toContainText('This campaign is Completed.');
  expect(await statusButtons(page)).toEqual([]);
  await expect(page.getByRole('region', { name: 'Edit' })).toContainText('can no longer be edited');
  await expect(page.getByRole('button', { name: 'Save changes' })).toHaveCount(0);
  await checkPage(page, 'campaign-manage-completed');
});

test('only its owner and staff open a campaign’s owner page', async ({ page, otherPage }) => {
  const title = 'Chairs for the reading room';
  await signIn(otherPage, 'Olga Owner');
  const id = await startCampaign(otherPage, { title, goal: '80' });

  // A visitor is sent to sign in; another person gets the 403 page, and
  // the campaign page offers them no owner's link.
  await visit(page, `/campaigns/${id}/edit`, 'campaign-manage-signed-out');
  await expect(page).toHaveURL(new RegExp(`/sign-in\\?next=/campaigns/${id}/edit$`));
  // Signed in from there, the page they come back to is the 403 page.
  await page.goto(`${urls.site()}/sign-in`);
  await signIn(page, 'Nils Nosy');
  await visit(page, `/campaigns/${id}/edit`, 'campaign-manage-forbidden', { status: 403 });
  await expect(page.getByRole('heading', { level: 1, name: 'Not allowed' })).toBeVisible();
  await page.goto(`${urls.site()}/campaigns/${id}`);
  await expect(page.getByRole('link', { name: 'Manage this campaign' })).toHaveCount(0);

  // Staff may run it (campaign-service lets them).
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Sign out' }).click();
  await signInAsStaff(page, 'Mona Moderator');
  await visit(page, `/campaigns/${id}/edit`, 'campaign-manage-staff');
  await expect(page.getByRole('heading', { level: 1, name: `Manage “${title}”` })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Save changes' })).toBeVisible();
});

test('a concurrent edit shows the conflict page, and mine applies on top', async ({ page, otherPage }) => {
  test.setTimeout(60_000);
  const title = 'Books for the night school';
  const theirTitle = 'Books and lamps for the night school';
  const myDescription = 'Forty readers, one shelf.';
  // The same person, signed in twice: two tabs' worth of the same owner.
  await signIn(page, 'Cora Concurrent');
  const id = await startCampaign(page, { title, goal: '200', description: 'Readers need books.' });
  await signIn(otherPage, 'Cora Concurrent');

  await page.goto(`${urls.site()}/campaigns/${id}/edit`);
  await otherPage.goto(`${urls.site()}/campaigns/${id}/edit`);

  // The other tab saves first.
  await otherPage.getByLabel('Title').fill(theirTitle);
  await otherPage.getByRole('button', { name: 'Save changes' }).click();
  await expect(otherPage.getByRole('heading', { level: 1, name: theirTitle })).toBeVisible();

  // This one, opened on the older version, meets the conflict page.
  await page.getByLabel('Description (optional)').fill(myDescription);
  await page.getByLabel('Goal (USD)').fill('250');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Someone else changed this campaign' })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText('Your changes were not saved');
  const table = page.getByRole('table', { name: 'The campaign as saved now, and as you typed it' });
  const titleRow = table.getByRole('row', { name: /^Title/ });
  await expect(titleRow.getByRole('cell').nth(0)).toHaveText(theirTitle);
  await expect(titleRow.getByRole('cell').nth(1)).toHaveText(title);
  const descriptionRow = table.getByRole('row', { name: /^Description/ });
  await expect(descriptionRow.getByRole('rowheader')).toContainText('(you changed this)');
  await expect(descriptionRow.getByRole('cell').nth(0)).toHaveText('Readers need books.');
  await expect(descriptionRow.getByRole('cell').nth(1)).toHaveText(myDescription);
  await checkPage(page, 'campaign-conflict');

  // Applying mine on top keeps their title and adds my description and goal.
  await page.getByRole('button', { name: 'Apply my changes on top' }).click();
  await expect(page.getByRole('heading', { level: 1, name: theirTitle })).toBeVisible();
  await expect(page.getByRole('region', { name: 'About' })).toContainText(myDescription);
  await expect(page.getByRole('region', { name: 'Progress' })).toContainText('of 250.00 USD');
});

test('a request is posted, edited and closed by its owner', async ({ page }) => {
  const title = 'Coats for the school run';
  await visit(page, '/requests/new', 'request-new-signed-out');
  await expect(page).toHaveURL(/\/sign-in\?next=\/requests\/new$/);
  await signIn(page, 'Rafa Requester');
  await checkPage(page, 'request-new');

  // A quantity that is not a number comes back beside its field, as typed.
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Category').fill('clothing');
  await page.getByLabel('Quantity needed').fill('a dozen');
  await page.getByRole('button', { name: 'Post the request' }).click();
  await expect(page.getByLabel('Quantity needed')).toHaveAccessibleDescription(
    /Quantity needed: must be a whole number such as 10\./,
  );
  await expect(page.getByLabel('Title')).toHaveValue(title);
  await checkPage(page, 'request-new-problem');
  await page.getByLabel('Quantity needed').fill('12');
  await page.getByLabel('Location (optional)').fill('Hillside Primary');
  await page.getByRole('button', { name: 'Post the request' }).click();
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await expect(page.getByRole('main')).toContainText('Hillside Primary');

  await page.getByRole('link', { name: 'Manage this request' }).click();
  await expect(page.getByLabel('Quantity needed')).toHaveAccessibleDescription(/At least 0: 0 pledged and 0 received/);
  await checkPage(page, 'request-manage');
  await page.getByLabel('Quantity needed').fill('10');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Progress' }).getByRole('definition').first()).toHaveText('10');

  await page.getByRole('link', { name: 'Manage this request' }).click();
  await page.getByRole('button', { name: 'Cancel the request' }).click();
  await expect(page.getByRole('region', { name: 'Status' })).toContainText('This request is Cancelled');
  await expect(page.getByRole('button', { name: 'Close as fulfilled' })).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Edit' })).toContainText('Only an open request can be edited.');
});
