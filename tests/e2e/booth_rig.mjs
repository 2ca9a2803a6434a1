// What the browser tests share: a booth on this machine (kioskd with the PTP/IP camera
// simulator and a private print rig), Chromium, and the checks a guest's eye makes on a
// print (its size, its QR).

import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";

import { chromium } from "playwright-core";

const binDir = requiredEnv("ENCORE_BIN_DIR");
const sourceDir = requiredEnv("ENCORE_SOURCE_DIR");
const printRig = path.join(sourceDir, "tests/peers/print-rig/print-rig");

function requiredEnv(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the browser tests through ctest (./run test)`);
  }
  return value;
}

export async function waitFor(condition, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// Starts `program` and resolves with the first stdout line matching `pattern`.
export function startProgram(program, args, env, pattern, logFile) {
  const child = spawn(program, args, {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", fs.openSync(logFile, "a")],
  });
  const lines = readline.createInterface({ input: child.stdout });
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${path.basename(program)} did not start; see ${logFile}`)),
      20_000,
    );
    lines.on("line", (line) => {
      const match = line.match(pattern);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${path.basename(program)} exited with ${code}; see ${logFile}`));
    });
  });
  return { child, ready };
}

export class Booth {
  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "encore-e2e-"));
    // cupsd's backend runs as lp and must reach the rig's folders.
    fs.chmodSync(this.dir, 0o755);
    this.children = [];
  }

  // Starts the print rig (a private cupsd with the queues "booth" and "lab"), once.
  startRig() {
    if (this.cupsServer) {
      return;
    }
    const rig = spawnSync(printRig, ["start", path.join(this.dir, "rig"), "--port", "0", "--no-ipp"], {
      encoding: "utf8",
    });
    if (rig.status !== 0) {
      throw new Error(`print-rig start failed: ${rig.stderr}`);
    }
    this.cupsServer = rig.stdout.trim().split("\n").pop().replace(/^CUPS_SERVER=/, "");
  }

  // Starts the print rig (unless started), the camera simulator and kioskd (with
  // `kioskdArguments` added, e.g. a hub's join token).
  async start(kioskdArguments = []) {
    this.startRig();

    const camera = startProgram(
      path.join(binDir, "ptpip-camera"),
      ["--port", "0", "--control", "0"],
      {},
      /port=(\d+) control=(\d+)/,
      path.join(this.dir, "camera.log"),
    );
    this.children.push(camera.child);
    const [, cameraPort] = await camera.ready;

    const kioskd = startProgram(
      path.join(binDir, "kioskd"),
      [
        "--data", path.join(this.dir, "kiosk"),
        "--ui", "127.0.0.1:0",
        "--event", path.join(sourceDir, "kiosk/session/events/demo.json"),
        "--camera", `ptpip:127.0.0.1:${cameraPort}:${cameraPort}`,
        "--camera-model", "PTP/IP Camera",
        "--printer", "booth",
        ...kioskdArguments,
      ],
      { CUPS_SERVER: this.cupsServer, HOME: this.dir },
      /ui=(http:\/\/127\.0\.0\.1:\d+\/)/,
      path.join(this.dir, "kioskd.log"),
    );
    this.children.push(kioskd.child);
    [, this.url] = await kioskd.ready;
  }

  async api(target) {
    const response = await fetch(new URL(target, this.url));
    if (!response.ok) {
      throw new Error(`GET ${target}: ${response.status}`);
    }
    return response.json();
  }

  // The rig's saved prints of a queue (the booth's unless named), one file per physical
  // print.
  prints(queue = "booth") {
    const listed = spawnSync(printRig, ["jobs", path.join(this.dir, "rig"), queue], {
      encoding: "utf8",
    });
    return listed.stdout.split("\n").filter((line) => line.length > 0);
  }

  // print-rig fault: what the booth queue's printer does from its next job on
  // ("media-empty", "clear", ...).
  printerFault(fault) {
    const result = spawnSync(printRig, ["fault", path.join(this.dir, "rig"), "booth", fault], {
      encoding: "utf8",
    });
    if (result.status !== 0) {
      throw new Error(`print-rig fault ${fault} failed: ${result.stderr}`);
    }
  }

  stop() {
    for (const child of this.children.reverse()) {
      child.kill("SIGTERM");
    }
    spawnSync(printRig, ["stop", path.join(this.dir, "rig")]);
    if (!process.env.ENCORE_KEEP_TEMP) {
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.ENCORE_CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

// The text of the QR code in an image (a file, or PNG bytes), as zbarimg reads it.
export function decodeQr(image) {
  let file = image;
  if (Buffer.isBuffer(image)) {
    file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "encore-qr-")), "qr.png");
    fs.writeFileSync(file, image);
  }
  const scan = spawnSync("zbarimg", ["--quiet", "--raw", file], { encoding: "utf8" });
  if (scan.status !== 0) {
    throw new Error(`zbarimg found no QR code in ${file} (exit ${scan.status})`);
  }
  return scan.stdout.trim();
}

// Width and height from a JPEG's start-of-frame segment.
export function jpegSize(file) {
  const bytes = fs.readFileSync(file);
  assertJpeg(bytes[0] === 0xff && bytes[1] === 0xd8, file);
  let offset = 2;
  while (offset + 9 < bytes.length) {
    assertJpeg(bytes[offset] === 0xff, file);
    const marker = bytes[offset + 1];
    const length = bytes.readUInt16BE(offset + 2);
    const isStartOfFrame =
      marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isStartOfFrame) {
      return { width: bytes.readUInt16BE(offset + 7), height: bytes.readUInt16BE(offset + 5) };
    }
    offset += 2 + length;
  }
  throw new Error(`${file}: no start-of-frame segment`);
}

function assertJpeg(condition, file) {
  if (!condition) {
    throw new Error(`${file} is not a JPEG`);
  }
}
