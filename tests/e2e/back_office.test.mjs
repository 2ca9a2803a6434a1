// The whole chain of a reorder on one machine, in a real browser: a guest session at the
// booth (kioskd, the PTP/IP camera simulator, the print rig) synced to the hub (hubd);
// the guest reorders 2 × 5×7 to an address from the QR link and pays on the dev checkout;
// a desk clerk logs in to the back office and releases it; the rig's lab queue receives
// two 5×7 prints; a packer opens the packing slip (rendered with pdftoppm and read with
// pdftotext), marks the parcel packed and records the carrier and tracking number; the
// guest's status page says shipped with the tracking number.
//
// Run by ctest (label e2e) with ENCORE_BIN_DIR and ENCORE_SOURCE_DIR set.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

import { jpegSize, launchBrowser, waitFor } from "./booth_rig.mjs";
import { EnrolledBooth, openOnPhone, orderTwoFiveBySeven, sessionSyncedToHub } from "./hub_rig.mjs";

const booth = new EnrolledBooth();
let browser;

after(async () => {
  await browser?.close();
  booth.stop();
});

// A staff member's tablet: logs in on the back office's form and opens `landing`.
async function logIn(name, password, landing) {
  const tablet = await browser.newContext({ viewport: { width: 1024, height: 768 } });
  const page = await tablet.newPage();
  await page.goto(new URL("/login", booth.privateUrl).href);
  await page.locator("input[name=name]").fill(name);
  await page.locator("input[name=password]").fill(password);
  await page.locator("form button[type=submit]").click();
  await page.waitForLoadState();
  await page.goto(new URL(landing, booth.privateUrl).href);
  assert.equal(new URL(page.url()).pathname, landing, "logged in");
  return page;
}

// Presses a form's button, checks the outcome page's heading and follows its "Back" link.
async function submit(page, button, heading) {
  await Promise.all([page.waitForNavigation(), button.click()]);
  assert.equal((await page.locator("h1").textContent()).trim(), heading, await page.locator("main").textContent());
  await Promise.all([page.waitForNavigation(), page.locator("a", { hasText: "Back" }).click()]);
}

function run(program, args) {
  const result = spawnSync(program, args, { encoding: "utf8" });
  assert.equal(result.status, 0, `${program} ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

test("a paid reorder goes from the guest's phone through the desk, the lab printer and the shipping station, and the guest sees it shipped", async () => {
  const joinToken = await booth.startHub({ lab: true });
  await booth.start(["--hub-token", joinToken]);
  booth.addStaff("clerk", "desk", "desk-password-1");
  booth.addStaff("packer", "shipping", "ship-password-1");
  browser = await launchBrowser();

  // The guest: the QR of the booth's print, 2 × 5×7 to an address, paid.
  const { url } = await sessionSyncedToHub(booth, browser);
  const phone = await openOnPhone(browser, url);
  await orderTwoFiveBySeven(phone);
  await phone.locator("button.pay").click();
  await phone.waitForURL(/\/order\/reorders\/[0-9a-f-]{36}$/);
  const statusUrl = phone.url();
  const reorderId = statusUrl.split("/").pop();
  assert.equal((await phone.locator("dd.state").textContent()).trim(), "Paid");

  // The order desk: the paid reorder is in the queue; released to the lab.
  const desk = await logIn("clerk", "desk-password-1", "/desk");
  const queued = desk.locator("tr", { hasText: reorderId });
  await submit(desk, queued.locator("form[action='/desk/release'] button"), "Released");
  assert.equal(await desk.locator("form[action='/desk/release']").count(), 0, "the queue is empty");

  // The lab queue receives exactly the two 5×7 prints (2100 × 1500 at 300 dpi).
  await waitFor(() => booth.prints("lab").length >= 2, 60_000, "two prints on the lab queue");
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const labPrints = booth.prints("lab");
  assert.equal(labPrints.length, 2, "exactly the two copies");
  for (const print of labPrints) {
    assert.deepEqual(jpegSize(print), { width: 2100, height: 1500 });
  }
  await waitFor(
    async () => (await booth.hubApi(`/api/reorders/${reorderId}`)).items.every((item) => item.state === "completed"),
    30_000,
    "the desk to see both prints completed",
  );

  // The shipping station: the slip, packed, shipped.
  const shipping = await logIn("packer", "ship-password-1", "/shipping");
  const entry = shipping.locator("tr", { hasText: reorderId });
  const slipHref = await entry.locator("a.slip").getAttribute("href");
  const slip = await shipping.request.get(new URL(slipHref, booth.privateUrl).href);
  assert.equal(slip.status(), 200);
  assert.equal(slip.headers()["content-type"], "application/pdf");
  const slipFile = path.join(booth.dir, "slip.pdf");
  fs.writeFileSync(slipFile, await slip.body());
  const text = run("pdftotext", ["-layout", slipFile, "-"]);
  for (const expected of ["Ada Guest", "1 Main Street", "10115 Berlin", "DE", reorderId.slice(0, 18)]) {
    assert.ok(text.includes(expected), `the slip names ${expected}:\n${text}`);
  }
  run("pdftoppm", ["-png", "-r", "40", "-singlefile", slipFile, path.join(booth.dir, "slip")]);
  assert.ok(fs.statSync(path.join(booth.dir, "slip.png")).size > 1000, "the slip renders");

  await submit(shipping, entry.locator("form[action='/shipping/pack'] button"), "Packed");
  const packed = shipping.locator("tr", { hasText: reorderId });
  await packed.locator("input[name=carrier]").fill("DHL");
  await packed.locator("input[name=tracking]").fill("00340434161234567890");
  await submit(shipping, packed.locator("form[action='/shipping/ship'] button"), "Shipped");
  assert.equal(await shipping.locator("tr", { hasText: reorderId }).count(), 0, "off the packing list");

  // The guest's status page.
  await phone.goto(statusUrl);
  assert.equal((await phone.locator("dd.state").textContent()).trim(), "Shipped");
  assert.equal((await phone.locator("dd.shipment").textContent()).trim(), "DHL 00340434161234567890");
});
