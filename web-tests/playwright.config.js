// @ts-check
// Playwright for Hearth's site: Debian's Chromium (never a downloaded
// browser), headless, started by ./run after the platform is up. Every wait
// has a time-out; no assertion is about how long something took.
const { defineConfig } = require('@playwright/test');
const path = require('node:path');

const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';

module.exports = defineConfig({
  testDir: './tests',
  // The machine is small and the flows share one platform; one at a time
  // keeps the run predictable (it takes well under a minute).
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 30_000,
  globalTimeout: 600_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  outputDir: path.join(__dirname, '..', 'target', 'browser-test-results'),
  use: {
    browserName: 'chromium',
    headless: true,
    actionTimeout: 10_000,
    navigationTimeout: 15_000,
    viewport: { width: 1280, height: 800 },
    javaScriptEnabled: true,
    launchOptions: {
      executablePath,
      // Playwright gives each launch a fresh, temporary user-data-dir.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
});
