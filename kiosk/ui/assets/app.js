// The booth's touchscreen: follows the guest flow over the WebSocket (/ws) and drives it
// through the JSON API (docs/kiosk-api.md). No framework, no build step, no inline code
// (the page's Content-Security-Policy forbids it).
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);

  const languageNames = {
    en: "English",
    de: "Deutsch",
    fr: "Français",
    es: "Español",
    ja: "日本語",
  };

  let event = null;        // GET /api/event
  let fallback = {};       // English strings, for keys a translation lacks
  let strings = {};        // the chosen language's strings
  let language = "en";
  let state = null;        // the last state pushed
  let autoShoot = false;   // take the next photo without a tap (after start, retake, success)
  let shooting = false;    // a shoot request is in flight
  let shootTimer = null;
  let copies = 1;          // the guest's choice on the copies screen
  let printing = false;    // a print request is in flight (a second tap does nothing)
  let thumbnailsKey = "";
  let operatorOpen = false;
  let pin = "";

  // --- helpers -------------------------------------------------------------------------

  async function api(method, path, body) {
    const options = { method, headers: {}, credentials: "same-origin" };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    try {
      const response = await fetch(path, options);
      let data = null;
      try {
        data = await response.json();
      } catch (_) {
        data = null;
      }
      return { status: response.status, ok: response.ok, data };
    } catch (_) {
      return { status: 0, ok: false, data: null };
    }
  }

  function t(key, values) {
    let text = strings[key] ?? fallback[key] ?? key;
    for (const [name, value] of Object.entries(values || {})) {
      text = text.replaceAll(`{${name}}`, String(value));
    }
    return text;
  }

  function show(element, visible) {
    element.hidden = !visible;
  }

  // --- language ------------------------------------------------------------------------

  async function loadStrings(code) {
    const response = await fetch(`/i18n/${code}.json`);
    if (!response.ok) {
      throw new Error(`no strings for ${code}`);
    }
    return response.json();
  }

  async function setLanguage(code) {
    try {
      strings = code === "en" ? fallback : await loadStrings(code);
      language = code;
    } catch (_) {
      strings = fallback;
      language = "en";
    }
    document.documentElement.lang = language;
    for (const element of document.querySelectorAll("[data-i18n]")) {
      element.textContent = t(element.dataset.i18n);
    }
    for (const button of $("languages").children) {
      button.setAttribute("aria-pressed", String(button.dataset.language === language));
    }
    thumbnailsKey = "";
    render();
  }

  function buildLanguageSwitch() {
    const nav = $("languages");
    nav.replaceChildren();
    if (event.languages.length < 2) {
      return;
    }
    for (const code of event.languages) {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.language = code;
      button.textContent = languageNames[code] || code;
      button.addEventListener("click", () => setLanguage(code));
      nav.appendChild(button);
    }
  }

  // --- state ---------------------------------------------------------------------------

  function apply(next) {
    if (state && next.version <= state.version) {
      return; // an old push overtaken by an answer to a request
    }
    const previous = state ? state.state : null;
    state = next;
    if (state.state !== previous) {
      entered(previous);
    }
    render();
    react();
    if (operatorOpen) {
      refreshOperator();
    }
  }

  // Things done once when a state is entered.
  function entered(previous) {
    if (state.state === "attract") {
      autoShoot = false;
      thumbnailsKey = "";
      printing = false;
      if (previous !== null && event && language !== event.default_language) {
        setLanguage(event.default_language); // the next guest starts in the event's language
      }
    }
    if (state.state === "copies") {
      copies = state.copies || (event ? event.copies.default : 1);
    }
    if (state.state !== "printing" && state.state !== "code") {
      printing = false;
    }
  }

  function noticeText(notice) {
    const specific = `notice.${notice.device}.${notice.reason}`;
    if (strings[specific] || fallback[specific]) {
      return t(specific);
    }
    return t(`notice.${notice.device}`);
  }

  function render() {
    if (!state) {
      return;
    }
    const booth = $("booth");
    booth.dataset.state = state.state;

    // The live view streams only while it is on screen.
    const live = $("live");
    const wantLive = state.state === "attract" || state.state === "countdown";
    if (wantLive && !live.getAttribute("src")) {
      live.src = "/live.mjpeg";
    } else if (!wantLive && live.getAttribute("src")) {
      live.removeAttribute("src"); // closes the stream: the camera is left alone
    }
    show(live, wantLive);

    // A fault of this session, or at attract a camera that is not ready (start is off).
    const notice = $("notice");
    const shown = state.notice || (state.state === "attract" && !state.devices.camera.ready
      ? { device: "camera", reason: state.devices.camera.condition }
      : null);
    show(notice, !!shown);
    if (shown) {
      notice.textContent = noticeText(shown);
    }

    show($("paused"), state.paused);
    $("start").disabled = state.paused || !state.devices.camera.ready;

    $("shot-of").textContent = t("countdown.photo_of", { shot: state.shot, shots: state.shots });
    $("countdown").textContent = state.seconds_left === null ? "" : String(state.seconds_left);
    show($("shoot-again"), state.state === "countdown" && state.seconds_left === null &&
      !autoShoot && !shooting);

    if (state.state === "review") {
      renderThumbnails();
    }
    $("retakes-left").textContent = t("review.retakes_left", { n: state.retakes_left });
    show($("retake-all"), state.retakes_left > 0);

    $("copies").textContent = String(copies);
    if (event) {
      $("fewer").disabled = copies <= event.copies.min;
      $("more").disabled = copies >= event.copies.max;
    }
    $("print").disabled = printing;

    if (state.print) {
      $("print-progress").textContent =
        t("printing.progress", { done: state.print.copies_done, total: state.print.copies });
    }
    if (state.order) {
      $("printing-code").textContent = `${t("code.your_code")} ${state.order.code}`;
      $("order-code").textContent = state.order.code;
      const qr = `/api/session/qr.svg?code=${encodeURIComponent(state.order.code)}`;
      if ($("qr").getAttribute("src") !== qr) {
        $("qr").src = qr;
      }
    }
    show($("print-failed"), !!state.print && state.print.phase === "failed");
  }

  function renderThumbnails() {
    // Rebuild only when the photos or the retakes change, not on every push (each retake
    // uses one up, so a retaken photo always gives a new key; attract clears it).
    const key = `${state.photos.join(",")}|${state.retakes_left}|${language}`;
    if (key === thumbnailsKey) {
      return;
    }
    thumbnailsKey = key;
    const box = $("thumbnails");
    box.replaceChildren();
    box.classList.toggle("single", state.shots === 1);
    for (const shot of state.photos) {
      const figure = document.createElement("div");
      figure.className = "thumb";
      const image = document.createElement("img");
      image.alt = "";
      image.src = `/api/session/photos/${shot}?v=${state.version}`;
      figure.appendChild(image);
      if (state.retakes_left > 0 && state.shots > 1) {
        const again = document.createElement("button");
        again.type = "button";
        again.textContent = t("review.retake_one");
        again.addEventListener("click", () => retake(shot));
        figure.appendChild(again);
      }
      box.appendChild(figure);
    }
  }

  // Automatic steps: the next photo's countdown starts by itself after a short pause.
  function react() {
    if (state.state === "countdown" && state.seconds_left === null && autoShoot && !shooting &&
      shootTimer === null) {
      const pause = state.photos.length === 0 ? 400 : 1200;
      shootTimer = setTimeout(() => {
        shootTimer = null;
        if (state.state === "countdown" && state.seconds_left === null && autoShoot) {
          shoot();
        }
      }, pause);
    }
  }

  // --- guest actions -------------------------------------------------------------------

  async function act(path, body) {
    const answer = await api("POST", path, body);
    if (answer.data && answer.data.state) {
      apply(answer.data);
    }
    return answer;
  }

  async function start() {
    autoShoot = true;
    const answer = await act("/api/session/start");
    if (!answer.ok) {
      autoShoot = false;
    }
  }

  async function shoot() {
    if (shooting) {
      return;
    }
    shooting = true;
    render();
    const answer = await act("/api/session/shoot");
    shooting = false;
    // After a failed picture the guest taps "try again": no retry loop on a broken camera.
    autoShoot = answer.ok;
    render();
    if (state) {
      react();
    }
  }

  async function retake(shot) {
    autoShoot = true;
    const answer = await act("/api/session/retake", shot === undefined ? {} : { shot });
    if (!answer.ok) {
      autoShoot = false;
    }
  }

  function changeCopies(delta) {
    if (!event) {
      return;
    }
    const next = Math.min(event.copies.max, Math.max(event.copies.min, copies + delta));
    if (next !== copies) {
      copies = next;
      render();
      act("/api/session/copies", { copies });
    }
  }

  async function print() {
    if (printing) {
      return;
    }
    printing = true;
    render();
    const answer = await act("/api/session/print", { copies });
    if (!answer.ok) {
      printing = false;
      render();
    }
  }

  // --- operator ------------------------------------------------------------------------

  function buildPinPad() {
    const keys = $("pin-keys");
    for (const label of ["1", "2", "3", "4", "5", "6", "7", "8", "9", "C", "0", "OK"]) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = label;
      button.addEventListener("click", () => pinKey(label));
      keys.appendChild(button);
    }
  }

  function pinKey(label) {
    if (label === "C") {
      pin = "";
    } else if (label === "OK") {
      login();
      return;
    } else if (pin.length < 12) {
      pin += label;
    }
    $("pin-dots").textContent = "•".repeat(pin.length);
  }

  async function login() {
    const answer = await api("POST", "/api/operator/login", { pin });
    pin = "";
    $("pin-dots").textContent = "";
    if (answer.ok) {
      show($("pin-error"), false);
      showOperatorPanel();
      return;
    }
    const error = $("pin-error");
    error.textContent = answer.status === 429
      ? t("operator.locked", { seconds: answer.data ? answer.data.retry_after : 60 })
      : t("operator.wrong_pin");
    show(error, true);
  }

  async function openOperator() {
    operatorOpen = true;
    show($("operator"), true);
    const answer = await api("GET", "/api/operator/status");
    if (answer.ok) {
      showOperatorPanel(answer.data);
    } else {
      show($("operator-panel"), false);
      show($("pin-pad"), true);
    }
  }

  function closeOperator() {
    operatorOpen = false;
    show($("operator"), false);
  }

  async function showOperatorPanel(status) {
    show($("pin-pad"), false);
    show($("operator-panel"), true);
    if (status) {
      renderOperator(status);
    } else {
      refreshOperator();
    }
    const settings = await api("GET", "/api/operator/event");
    if (settings.ok) {
      renderSettings(settings.data);
    }
  }

  async function refreshOperator() {
    if ($("operator-panel").hidden) {
      return;
    }
    const answer = await api("GET", "/api/operator/status");
    if (answer.status === 401) {
      show($("operator-panel"), false);
      show($("pin-pad"), true);
      return;
    }
    if (answer.ok) {
      renderOperator(answer.data);
    }
  }

  function renderDevice(prefix, device, extra) {
    const element = $(`${prefix}-state`);
    element.textContent = device.ready ? t("operator.ready") : device.condition;
    element.className = `device-state ${device.ready ? "ok" : "bad"}`;
    $(`${prefix}-message`).textContent = [device.name, device.message].filter(Boolean).join(" — ");
    $(`${prefix}-extra`).textContent = extra;
  }

  function renderOperator(status) {
    renderDevice("camera", status.camera, status.camera.battery_percent === null ? ""
      : t("operator.battery", { n: status.camera.battery_percent }));
    renderDevice("printer", status.printer, status.printer.prints_left === null ? ""
      : t("operator.prints_left", { n: status.printer.prints_left }));
    const booth = $("booth-state");
    booth.textContent = status.paused ? t("operator.paused") : status.state;
    booth.className = `device-state ${status.paused ? "bad" : "ok"}`;
    $("last-order").textContent = status.last_order
      ? `${t("operator.last_order")} ${status.last_order.code}` +
        (status.last_print ? ` (${status.last_print.phase})` : "")
      : "";
    renderHubLink(status.booth?.hub);
    refreshPickups();
    show($("pause"), !status.paused);
    show($("resume"), status.paused);
    const faults = $("faults");
    faults.replaceChildren();
    for (const fault of status.faults.slice().reverse()) {
      const item = document.createElement("li");
      item.textContent = `${fault.at} ${fault.device}: ${fault.message}`;
      faults.appendChild(item);
    }
  }

  // The kiosk link as kioskd reports it (GET /api/operator/status, "booth.hub").
  function renderHubLink(hub) {
    if (!hub) {
      $("hub-link").textContent = "";
      $("hub-backlog").textContent = "";
      return;
    }
    if (!hub.enrolled) {
      $("hub-link").textContent = hub.last_error
        ? t("operator.hub_offline", { error: hub.last_error }) : t("operator.hub_alone");
    } else if (hub.connected) {
      $("hub-link").textContent = t("operator.hub_connected", { kiosk: hub.kiosk });
    } else {
      $("hub-link").textContent = t("operator.hub_offline", { error: hub.last_error || "-" });
    }
    const backlog = t("operator.backlog", { photos: hub.backlog_photos, orders: hub.backlog_orders });
    $("hub-backlog").textContent = hub.last_sync
      ? `${backlog} · ${t("operator.last_sync", { at: hub.last_sync })}` : backlog;
  }

  // Venue pickups: reorders printed here for guests to collect (GET /api/operator/pickups).
  async function refreshPickups() {
    const answer = await api("GET", "/api/operator/pickups");
    if (answer.ok) {
      renderPickups(answer.data.pickups);
    }
  }

  function renderPickups(pickups) {
    const table = $("pickups");
    table.replaceChildren();
    show($("pickups-empty"), pickups.length === 0);
    for (const pickup of pickups) {
      const row = document.createElement("tr");
      const reference = document.createElement("th");
      reference.textContent = pickup.code;
      const name = document.createElement("td");
      name.textContent = pickup.name;
      const items = document.createElement("td");
      items.textContent = pickup.items
        .map((item) => `${item.product} × ${item.copies} (${item.copies_done}/${item.copies})`)
        .join(", ");
      const state = document.createElement("td");
      state.textContent = t(`operator.pickup_${pickup.state}`) +
        (pickup.reason ? ` — ${pickup.reason}` : "");
      const action = document.createElement("td");
      if (pickup.state === "ready") {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "big primary";
        button.textContent = t("operator.picked_up");
        button.addEventListener("click", () => markPickedUp(pickup.reorder));
        action.appendChild(button);
      }
      row.append(reference, name, items, state, action);
      table.appendChild(row);
    }
  }

  async function markPickedUp(reorder) {
    const answer = await api("POST", "/api/operator/pickups/picked-up", { reorder });
    const error = $("pickup-error");
    show(error, !answer.ok);
    error.textContent = answer.ok ? "" : (answer.data?.message || String(answer.status));
    if (answer.ok) {
      renderPickups(answer.data.pickups);
    }
  }

  function renderSettings(settings) {
    const table = $("event-settings");
    table.replaceChildren();
    const add = (name, value) => {
      const row = document.createElement("tr");
      const head = document.createElement("th");
      head.textContent = name;
      const cell = document.createElement("td");
      cell.textContent = typeof value === "object" ? JSON.stringify(value) : String(value);
      row.append(head, cell);
      table.appendChild(row);
    };
    for (const [name, value] of Object.entries(settings)) {
      add(name, value);
    }
  }

  async function operatorAction(path) {
    const answer = await api("POST", path);
    if (answer.data && answer.data.camera) {
      renderOperator(answer.data);
    } else {
      refreshOperator();
    }
  }

  async function logout() {
    await api("POST", "/api/operator/logout");
    closeOperator();
  }

  // --- WebSocket -----------------------------------------------------------------------

  let reconnectDelay = 500;

  function connect() {
    const socket = new WebSocket(`ws://${location.host}/ws`);
    socket.addEventListener("open", () => {
      reconnectDelay = 500;
      state = null; // kioskd may have restarted: versions start again
    });
    socket.addEventListener("message", (message) => {
      const data = JSON.parse(message.data);
      if (data.type === "state") {
        apply(data.state);
      }
    });
    socket.addEventListener("close", () => {
      // Back off with a cap and some jitter while kioskd restarts.
      setTimeout(connect, reconnectDelay + Math.random() * 250);
      reconnectDelay = Math.min(reconnectDelay * 2, 5000);
    });
  }

  // --- start ---------------------------------------------------------------------------

  async function main() {
    $("start").addEventListener("click", start);
    $("shoot-again").addEventListener("click", () => {
      autoShoot = false;
      shoot();
    });
    $("retake-all").addEventListener("click", () => retake(undefined));
    $("accept").addEventListener("click", () => act("/api/session/accept"));
    $("fewer").addEventListener("click", () => changeCopies(-1));
    $("more").addEventListener("click", () => changeCopies(1));
    $("print").addEventListener("click", print);
    $("done").addEventListener("click", () => act("/api/session/finish"));
    $("operator-open").addEventListener("click", openOperator);
    $("operator-close").addEventListener("click", closeOperator);
    $("pause").addEventListener("click", () => operatorAction("/api/operator/pause"));
    $("resume").addEventListener("click", () => operatorAction("/api/operator/resume"));
    $("resume-printer").addEventListener("click",
      () => operatorAction("/api/operator/printer/resume"));
    $("logout").addEventListener("click", logout);
    buildPinPad();

    try {
      fallback = await loadStrings("en");
    } catch (_) {
      fallback = {};
    }
    const answer = await api("GET", "/api/event");
    event = answer.ok ? answer.data : {
      name: "", languages: ["en"], default_language: "en", shots: 1,
      copies: { min: 1, max: 1, default: 1 },
    };
    $("event-name").textContent = event.name;
    buildLanguageSwitch();
    await setLanguage(event.default_language);
    const current = await api("GET", "/api/state");
    if (current.ok) {
      apply(current.data);
    }
    connect();
    setInterval(() => {
      if (operatorOpen) {
        refreshOperator();
      }
    }, 3000);
  }

  document.addEventListener("DOMContentLoaded", main);
})();
