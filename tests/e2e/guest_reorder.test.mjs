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
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

import { Booth, decodeQr, launchBrowser, startProgram, waitFor } from "./booth_rig.mjs";

const binDir = process.env.ENCORE_BIN_DIR;

// A port nobody listens on right now, so hubd's public_url can name it before it starts.
async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// The booth of booth_rig.mjs, enrolled with a hub by its join token.
class EnrolledBooth extends Booth {
  async startHub() {
    this.publicPort = await freePort();
    this.publicUrl = `http://127.0.0.1:${this.publicPort}`;
    const hubd = startProgram(
      path.join(binDir, "hubd"),
      [
        "--data", path.join(this.dir, "hub"),
        "--public-listen", `127.0.0.1:${this.publicPort}`,
        "--private-listen", "127.0.0.1:0",
        "--kiosk-listen", "127.0.0.1:0",
        "--public-url", this.publicUrl,
      ],
      {},
      /private=(http:\/\/127\.0\.0\.1:\d+\/)/,
      path.join(this.dir, "hubd.log"),
    );
    this.children.push(hubd.child);
    [, this.privateUrl] = await hubd.ready;
    this.adminToken = fs.readFileSync(path.join(this.dir, "hub", "admin.token"), "utf8").trim();
    const enrol = await this.hubApi("/api/enrol-tokens", {
      method: "POST",
      body: JSON.stringify({ kiosk: "booth-e2e" }),
    });
    return enrol.token;
  }

  async hubApi(target, options = {}) {
    const response = await fetch(new URL(target, this.privateUrl), {
      ...options,
      headers: { Authorization: `Bearer ${this.adminToken}`, "Content-Type": "application/json" },
    });
    if (!response.ok) {
      throw new Error(`${options.method ?? "GET"} ${target}: ${response.status}`);
    }
    return response.json();
  }
}

const booth = new EnrolledBooth();
let browser;

after(async () => {
  await browser?.close();
  booth.stop();
});

// Fills the reorder form of the open order page: 2 × 5×7 of the first photo, to an address.
async function orderTwoFiveBySeven(page) {
  await page.locator("#cart-product").selectOption("5x7");
  await page.locator("#cart-quantity").fill("2");
  await page.locator(".add-to-cart button").click();
  await page.waitForURL(/\/order#cart$/);
  assert.equal((await page.locator("table.cart .quantity").textContent()).trim(), "× 2");
  assert.equal((await page.locator("table.cart .total").textContent()).trim(), "€7.00");
  await page.locator("#address-name").fill("Ada Guest");
  await page.locator("#address-street").fill("1 Main Street");
  await page.locator("#address-postal_code").fill("10115");
  await page.locator("#address-city").fill("Berlin");
  await page.locator("#address-country").fill("DE");
  await page.locator(".checkout button[type=submit]").click();
  await page.waitForURL(/\/dev-checkout\/cs_dev_/);
  assert.match(await page.locator(".amount").textContent(), /7\.00 EUR/);
}

test("a guest opens the QR of a print, orders 2 5x7 prints and pays, and a declined payment stays unpaid and retryable", async () => {
  const joinToken = await booth.startHub();
  await booth.start(["--hub-token", joinToken]);
  browser = await launchBrowser();

  // At the booth: four photos, one print.
  const screen = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await screen.goto(booth.url);
  await screen.locator("#start").click({ timeout: 30_000 });
  await screen.waitForSelector('#booth[data-state="review"]', { timeout: 90_000 });
  await screen.locator("#accept").click();
  await screen.waitForSelector('#booth[data-state="copies"]');
  await screen.locator("#print").click();
  await screen.waitForSelector('#booth[data-state="code"]', { timeout: 60_000 });
  const state = await booth.api("/api/state");
  await waitFor(() => booth.prints().length >= 1, 60_000, "the print");
  const url = decodeQr(booth.prints()[0]);
  assert.equal(url, state.order.url);
  assert.ok(url.startsWith(`${booth.publicUrl}/o/`), `the QR leads to the hub: ${url}`);

  // The hub has the order and every photo.
  await waitFor(
    async () => {
      try {
        const { orders } = await booth.hubApi("/api/orders");
        const plain = (code) => code.replaceAll("-", "");
        const order = orders.find((candidate) => plain(candidate.code) === plain(state.order.code));
        return order?.photos.length === 4 && order.photos.every((photo) => photo.stored);
      } catch {
        return false;
      }
    },
    60_000,
    "the order and its four photos at the hub",
  );

  // On the guest's phone.
  const phone = await browser.newContext({
    viewport: { width: 390, height: 844 },
    locale: "en-US",
  });
  const page = await phone.newPage();
  await page.goto(url);
  assert.equal(new URL(page.url()).pathname, "/order", "the token is gone from the URL");
  assert.equal(await page.locator(".gallery img").count(), 4, "the session's four photos");
  await waitFor(
    async () =>
      page
        .locator(".gallery img")
        .evaluateAll((images) => images.every((image) => image.naturalWidth > 0)),
    15_000,
    "the thumbnails to load",
  );

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
