// What the browser tests of the hub share: a booth (booth_rig.mjs) enrolled with a hub
// (hubd) on this machine, the hub's admin API, and a guest's reorder on the phone.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

import { Booth, decodeQr, startProgram, waitFor } from "./booth_rig.mjs";

const binDir = process.env.ENCORE_BIN_DIR;
const sourceDir = process.env.ENCORE_SOURCE_DIR;

// A port nobody listens on right now, so hubd's public_url can name it before it starts.
async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// The booth of booth_rig.mjs, enrolled with a hub by its join token.
export class EnrolledBooth extends Booth {
  // Starts hubd and returns a join token for the booth. With `lab`, the hub's order desk
  // prints on the print rig's "lab" queue with the source tree's templates (the rig is
  // started first: hubd's libcups needs its address).
  async startHub({ lab = false } = {}) {
    this.publicPort = await freePort();
    this.publicUrl = `http://127.0.0.1:${this.publicPort}`;
    const env = {};
    const args = [
      "--data", path.join(this.dir, "hub"),
      "--public-listen", `127.0.0.1:${this.publicPort}`,
      "--private-listen", "127.0.0.1:0",
      "--kiosk-listen", "127.0.0.1:0",
      "--public-url", this.publicUrl,
    ];
    if (lab) {
      this.startRig();
      env.CUPS_SERVER = this.cupsServer;
      const config = path.join(this.dir, "hub.json");
      fs.writeFileSync(
        config,
        JSON.stringify({
          desk: { lab_queue: "lab", templates_dir: path.join(sourceDir, "kiosk/imaging/templates") },
        }),
      );
      args.push("--config", config);
    }
    const hubd = startProgram(
      path.join(binDir, "hubd"),
      args,
      env,
      /private=(http:\/\/127\.0\.0\.1:\d+\/)/,
      path.join(this.dir, "hubd.log"),
    );
    this.children.push(hubd.child);
    [, this.privateUrl] = await hubd.ready;
    this.tokenFile = path.join(this.dir, "hub", "admin.token");
    this.adminToken = fs.readFileSync(this.tokenFile, "utf8").trim();
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

  // `encore staff add NAME --role ROLE`, the password typed on its standard input.
  addStaff(name, role, password) {
    const result = spawnSync(
      path.join(binDir, "encore"),
      ["staff", "add", name, "--role", role, "--hub", this.privateUrl, "--token-file", this.tokenFile],
      { input: `${password}\n${password}\n`, encoding: "utf8" },
    );
    if (result.status !== 0) {
      throw new Error(`encore staff add ${name} failed: ${result.stderr}`);
    }
  }
}

// Fills the reorder form of the open order page: 2 × 5×7 of the first photo, to an address,
// and checks out: the page is then the dev provider's checkout.
export async function orderTwoFiveBySeven(page) {
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

// A guest session at the booth's screen (four photos, one print), then the wait until
// the hub holds the order and its four photos. Returns the QR link read from the print
// and the booth's order.
export async function sessionSyncedToHub(booth, browser) {
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
  await screen.close();

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
  return { url, order: state.order };
}

// Opens the QR link on a phone-sized page and checks the gallery shows the four photos.
export async function openOnPhone(browser, url) {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "en-US" });
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
  return page;
}
