// A guest reorders prints from a phone, in a real browser: a booth (kioskd with the
// PTP/IP camera simulator and the print rig) enrolled with a hub (hubd), a guest session
// at the booth, then the QR of the print read with zbarimg and opened in headless
// Chromium. The guest sees the session's photos, orders 2 × 5×7 to an address and pays
// on the dev provider's checkout, which settles the reorder by a signed webhook; a
// second reorder is declined, shown unpaid, and paid on a retry.
//
// Run by ctest (label e2e) with ENCORE_BIN_DIR and ENCORE_SOURCE_DIR set.

import { test, after } from "node:test";
import assert from "node:assert/strict";

import { launchBrowser } from "./booth_rig.mjs";
import { EnrolledBooth, openOnPhone, orderTwoFiveBySeven, sessionSyncedToHub } from "./hub_rig.mjs";

const booth = new EnrolledBooth();
let browser;

after(async () => {
  await browser?.close();
  booth.stop();
});

test("a guest opens the QR of a print, orders 2 5x7 prints and pays, and a declined payment stays unpaid and retryable", async () => {
  const joinToken = await booth.startHub();
  await booth.start(["--hub-token", joinToken]);
  browser = await launchBrowser();

  const { url } = await sessionSyncedToHub(booth, browser);
  const page = await openOnPhone(browser, url);

  await orderTwoFiveBySeven(page);
  await page.locator("button.pay").click();
  await page.waitForURL(/\/order\/reorders\/[0-9a-f-]{36}$/);
  assert.equal((await page.locator("dd.state").textContent()).trim(), "Paid");
  assert.equal(await page.locator("form.pay").count(), 0, "nothing left to pay");

  // A second reorder, declined on the checkout: unpaid, and paid on a retry.
  await page.goto(`${booth.publicUrl}/order`);
  await orderTwoFiveBySeven(page);
  await page.locator("button.decline").click();
  await page.waitForURL(/\/order\/reorders\/[0-9a-f-]{36}$/);
  assert.equal((await page.locator("dd.state").textContent()).trim(), "Not paid yet");
  await page.locator("form.pay button").click();
  await page.waitForURL(/\/dev-checkout\/cs_dev_/);
  await page.locator("button.pay").click();
  await page.waitForURL(/\/order\/reorders\/[0-9a-f-]{36}$/);
  assert.equal((await page.locator("dd.state").textContent()).trim(), "Paid");

  await page.goto(`${booth.publicUrl}/order`);
  assert.equal(await page.locator(".reorders .state-paid").count(), 2);
});
