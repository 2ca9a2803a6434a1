// A guest at the booth, in a real browser: headless Debian Chromium driven by
// playwright-core against kioskd, the PTP/IP camera simulator and the print rig (a private
// cupsd). The guest starts, poses for the layout's four photos, accepts them, asks for two
// copies (with a double tap on "print"), and gets a code. Then the prints are checked as
// the guest would: two of them, 1800x1200 (4x6 at 300 dpi), and the QR on each, like the
// QR on the screen, opens the order's URL.
//
// Run by ctest (label e2e) with ENCORE_BIN_DIR and ENCORE_SOURCE_DIR set; `./run test`
// installs Chromium and playwright-core first.

import { test, after } from "node:test";
import assert from "node:assert/strict";

import {
  Booth,
  decodeQr,
  jpegSize,
  launchBrowser,
  waitFor,
} from "./booth_rig.mjs";

const booth = new Booth();
let browser;

after(async () => {
  await browser?.close();
  booth.stop();
});

test("a guest takes four photos, prints two copies, and the QR opens the order", async () => {
  await booth.start();
  browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(booth.url);

  const screen = page.locator("#booth");
  // The start button is enabled once the camera is connected.
  await page.locator("#start").click({ timeout: 30_000 });
  await page.waitForSelector('#booth[data-state="review"]', { timeout: 90_000 });
  assert.equal(await page.locator("#thumbnails img").count(), 4, "four thumbnails to review");

  await page.locator("#accept").click();
  await page.waitForSelector('#booth[data-state="copies"]');
  await page.locator("#more").click();
  assert.equal(await page.locator("#copies").textContent(), "2");
  // A guest who taps twice still gets the copies they chose, not twice as many.
  await page.locator("#print").dblclick();
  await page.waitForSelector('#booth[data-state="code"]', { timeout: 60_000 });
  assert.equal(await screen.getAttribute("data-state"), "code");

  const state = await booth.api("/api/state");
  assert.ok(state.order, "the state names the order after printing");
  const shownCode = (await page.locator("#order-code").textContent()).trim();
  assert.ok(shownCode.includes(state.order.code), `screen shows ${shownCode}`);
  assert.match(state.order.url, /\/o\/[A-Za-z0-9_-]{22,}$/);

  // The QR on the screen, as a phone would read it.
  const screenQr = await page.locator("#qr").screenshot();
  assert.equal(decodeQr(screenQr), state.order.url);

  // Exactly two prints: wait for them, then make sure no third one follows.
  await waitFor(() => booth.prints().length >= 2, 60_000, "two prints");
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const prints = booth.prints();
  assert.equal(prints.length, 2, `prints: ${prints.join(", ")}`);
  for (const print of prints) {
    assert.deepEqual(jpegSize(print), { width: 1800, height: 1200 }, print);
    assert.equal(decodeQr(print), state.order.url, `QR of ${print}`);
  }

  await page.locator("#done").click();
  await page.waitForSelector('#booth[data-state="attract"]');
});

test("the printer runs out of paper: guest and operator are told, the operator resumes it", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(booth.url);
  booth.printerFault("media-empty");

  await page.locator("#start").click({ timeout: 30_000 });
  await page.waitForSelector('#booth[data-state="review"]', { timeout: 90_000 });
  await page.locator("#accept").click();
  await page.waitForSelector('#booth[data-state="copies"]');
  await page.locator("#print").click();

  // The guest reads why the print waits.
  const notice = page.locator("#notice");
  await notice.waitFor({ state: "visible", timeout: 30_000 });
  assert.match(await notice.textContent(), /out of paper/i);
  const printsBefore = booth.prints().length;

  // The operator opens the panel with the PIN and sees the printer's reason.
  await page.locator("#operator-open").click();
  for (const key of ["2", "4", "6", "8", "OK"]) {
    await page.locator("#pin-keys button", { hasText: new RegExp(`^${key}$`) }).click();
  }
  await page.locator("#operator-panel").waitFor({ state: "visible" });
  await waitFor(
    async () => /out of paper/i.test(await page.locator("#printer-message").textContent()),
    15_000,
    "the operator screen to say the printer is out of paper",
  );
  assert.match(await page.locator("#hub-link").textContent(), /not connected to a hub/);
  assert.match(await page.locator("#last-order").textContent(), /[A-Z0-9]{3}-[A-Z0-9]{3}/);

  // Paper loaded; the operator resumes the printer and the print comes out.
  booth.printerFault("clear");
  await page.locator("#resume-printer").click();
  await waitFor(() => booth.prints().length === printsBefore + 1, 60_000, "the held print");
  await waitFor(
    async () => (await page.locator("#printer-state").textContent()) === "Ready",
    15_000,
    "the operator screen to say the printer is ready",
  );
  await page.locator("#operator-close").click();
  await page.waitForSelector('#booth[data-state="code"]', { timeout: 30_000 });
  assert.equal(await notice.isVisible(), false, "the notice is gone once the print is out");
});
