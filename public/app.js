// The airelay demo page: streams answers from either route into the conversation.
// No framework and no build step: this file is served as is.

import { SseParser } from "./sse.js";

const ROUTES = {
  chat: { path: "/v1/chat/completions", model: "openai/gpt-5.4-mini", label: "gpt-5.4-mini" },
  responses: { path: "/v1/responses", model: "openai/gpt-5.4-pro", label: "gpt-5.4-pro" },
};
// Preferences that are not secrets survive reloads; the API key never goes to localStorage.
const PREFS_KEY = "airelay.prefs";
const KEY_SESSION_KEY = "airelay.apiKey";

const $ = (selector) => document.querySelector(selector);
const els = {
  form: $("#composer"),
  prompt: $("#prompt"),
  send: $("#send"),
  stop: $("#stop"),
  conversation: $("#conversation"),
  log: $("#log"),
  empty: $("#empty"),
  relay: $("#relay-url"),
  apiKey: $("#api-key"),
  keepKey: $("#keep-key"),
  keyHint: $("#key-hint"),
  temperature: $("#temperature"),
  temperatureRange: $("#temperature-range"),
  effort: $("#effort"),
  effortHint: $("#effort-hint"),
  newChat: $("#new-chat"),
  status: $("#status"),
};

/** @type {{role: string, content: string}[]} */
let history = [];
/** @type {AbortController | null} */
let inFlight = null;
// Bumped by "New chat", so an answer that ends afterwards leaves the new history alone.
let conversation = 0;

// --- Settings -------------------------------------------------------------------------------

function currentRoute() {
  return document.querySelector('input[name="route"]:checked').value;
}

function loadPrefs() {
  let prefs = {};
  try {
    prefs = JSON.parse(localStorage.getItem(PREFS_KEY) || "{}");
  } catch {
    prefs = {};
  }
  if (typeof prefs.relay === "string") els.relay.value = prefs.relay;
  if (prefs.route in ROUTES) {
    document.querySelector(`input[name="route"][value="${prefs.route}"]`).checked = true;
  }
  if (typeof prefs.temperature === "string") els.temperature.value = prefs.temperature;
  if (typeof prefs.effort === "string") els.effort.value = prefs.effort;
  const kept = sessionStorage.getItem(KEY_SESSION_KEY);
  if (kept) {
    els.apiKey.value = kept;
    els.keepKey.checked = true;
  }
}

function savePrefs() {
  const prefs = {
    relay: els.relay.value,
    route: currentRoute(),
    temperature: els.temperature.value,
    effort: els.effort.value,
  };
  try {
    localStorage.setItem(PREFS_KEY, JSON.stringify(prefs));
  } catch {
    // Storage can be disabled (private modes); the page works without it.
  }
}

function saveKey() {
  if (els.keepKey.checked && els.apiKey.value) {
    sessionStorage.setItem(KEY_SESSION_KEY, els.apiKey.value);
  } else {
    sessionStorage.removeItem(KEY_SESSION_KEY);
  }
}

function syncControls() {
  const responses = currentRoute() === "responses";
  els.effort.disabled = !responses;
  els.effortHint.textContent = responses
    ? "Sent as reasoning.effort."
    : "Only the Responses route (gpt-5.4-pro) reasons.";
  els.temperatureRange.value = els.temperature.value;
  document.body.dataset.route = currentRoute();
}

/** Return the relay's base URL, or throw an Error saying what is wrong with the field. */
function relayBase() {
  const raw = els.relay.value.trim();
  if (!raw) {
    if (window.location.origin === "null") {
      throw new Error("Opened from a file: enter the relay URL, e.g. http://127.0.0.1:8787.");
    }
    return window.location.origin;
  }
  let url;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`"${raw}" is not a URL; use e.g. http://127.0.0.1:8787 or leave it empty.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error("The relay URL must start with http:// or https://.");
  }
  // Accept a base URL copied from an SDK config (".../v1") as well as the bare origin.
  return (url.origin + url.pathname).replace(/\/+$/, "").replace(/\/v1$/, "");
}

// --- Conversation rendering -----------------------------------------------------------------

function addMessage(role, text) {
  els.empty.hidden = true;
  const item = document.createElement("li");
  item.className = `message ${role}`;
  item.dataset.role = role;
  const who = document.createElement("div");
  who.className = "who";
  who.textContent = role === "user" ? "You" : ROUTES[currentRoute()].label;
  const body = document.createElement("div");
  body.className = "text";
  body.append(document.createTextNode(text));
  item.append(who, body);
  els.log.append(item);
  scrollToEnd(true);
  return item;
}

// Wide screens scroll the conversation pane; narrow ones scroll the whole page.
function scroller() {
  const pane = els.conversation;
  return getComputedStyle(pane).overflowY === "auto" ? pane : document.scrollingElement;
}

function nearBottom() {
  const { scrollTop, scrollHeight, clientHeight } = scroller();
  return scrollHeight - scrollTop - clientHeight < 120;
}

function scrollToEnd(force = false) {
  if (force || nearBottom()) {
    const target = scroller();
    target.scrollTop = target.scrollHeight;
  }
}

class AnswerView {
  constructor() {
    this.item = addMessage("assistant", "");
    this.item.dataset.state = "waiting";
    this.item.setAttribute("aria-busy", "true");
    this.textNode = this.item.querySelector(".text").firstChild;
    this.text = "";
    this.started = performance.now();
    this.firstToken = null;
    this.meta = document.createElement("div");
    this.meta.className = "meta";
    this.item.append(this.meta);
  }

  append(delta) {
    if (!delta) return;
    const follow = nearBottom();
    if (this.firstToken === null) {
      this.firstToken = performance.now() - this.started;
      this.item.dataset.state = "streaming";
    }
    this.text += delta;
    this.textNode.appendData(delta);
    if (follow) scrollToEnd(true);
  }

  setText(text) {
    this.text = "";
    this.textNode.data = "";
    this.append(text);
  }

  finish(state, note) {
    this.item.dataset.state = state;
    this.item.setAttribute("aria-busy", "false");
    if (note) {
      const badge = document.createElement("span");
      badge.className = `badge ${state}`;
      badge.textContent = note;
      this.meta.prepend(badge);
    }
    if (state === "error") return;
    const seconds = ((performance.now() - this.started) / 1000).toFixed(1);
    const timing = document.createElement("span");
    timing.className = "timing";
    timing.textContent =
      this.firstToken === null
        ? `${seconds} s`
        : `first token ${Math.round(this.firstToken)} ms · ${seconds} s`;
    this.meta.append(timing);
  }

  showUsage(usage) {
    const line = document.createElement("span");
    line.className = "usage";
    line.dataset.testid = "usage";
    if ("prompt_tokens" in usage) {
      line.textContent =
        `${usage.prompt_tokens} in · ${usage.completion_tokens} out · ` +
        `${usage.total_tokens} tokens`;
    } else {
      const reasoning = usage.output_tokens_details?.reasoning_tokens;
      line.textContent =
        `${usage.input_tokens} in · ${usage.output_tokens} out` +
        (reasoning ? ` (${reasoning} reasoning)` : "") +
        ` · ${usage.total_tokens} tokens`;
    }
    this.meta.prepend(line);
  }

  showRequestId(id) {
    if (!id) return;
    const tag = document.createElement("code");
    tag.className = "request-id";
    tag.title = "x-request-id";
    tag.textContent = id;
    this.meta.append(tag);
  }

  fail({ title, detail, hint }) {
    this.item.classList.add("error");
    this.item.setAttribute("role", "alert");
    const box = document.createElement("div");
    box.className = "error-box";
    const strong = document.createElement("strong");
    strong.textContent = title;
    box.append(strong);
    for (const line of [detail, hint]) {
      if (!line) continue;
      const p = document.createElement("p");
      p.textContent = line;
      box.append(p);
    }
    this.item.insertBefore(box, this.meta);
    this.finish("error");
  }
}

function setStatus(text) {
  els.status.textContent = text;
}

function setBusy(busy) {
  els.send.disabled = busy;
  els.stop.disabled = !busy;
  els.form.dataset.busy = String(busy);
}

// --- Errors -----------------------------------------------------------------------------------

const STATUS_TITLES = {
  400: "The relay rejected the request (400)",
  401: "Not authorised (401)",
  403: "Forbidden (403)",
  404: "Not found (404)",
  405: "Method not allowed (405)",
  413: "Request too large (413)",
  415: "Unsupported content type (415)",
  429: "Too many requests (429)",
  500: "The relay failed (500)",
  502: "The model failed (502)",
  503: "The relay is unavailable (503)",
  504: "The model timed out (504)",
};

/** Describe a non-2xx answer in words a person can act on. */
async function describeHttpError(response) {
  let error = {};
  const raw = await response.text();
  try {
    error = JSON.parse(raw).error || {};
  } catch {
    error = { message: raw.slice(0, 300) };
  }
  const status = response.status;
  let title = STATUS_TITLES[status] || `HTTP ${status}`;
  let detail = error.message || response.statusText || "No details.";
  if (error.param && !detail.includes(error.param)) detail += ` (parameter: ${error.param})`;
  let hint = "";
  if (status === 401 && error.code === "token_expired") {
    title = "Your token has expired (401)";
    hint = `${FRESH_TOKEN_HINT} Then send again: your message is back in the box.`;
  } else if (status === 401 && isTokenCode(error.code)) {
    hint = `The relay refused this token. ${FRESH_TOKEN_HINT}`;
  } else if (status === 403 && error.code === "token_scope") {
    hint = "This token does not allow this route: switch route, or use a token that allows it.";
  } else if (status === 401) {
    hint = "Enter a valid API key under Settings (sent as Authorization: Bearer).";
  } else if (status === 429) {
    const after = Number.parseInt(response.headers.get("retry-after") || "", 10);
    hint = Number.isFinite(after)
      ? `Wait ${after} s before sending again.`
      : "Wait a moment before sending again.";
  } else if (status === 400) {
    hint = "Change the highlighted setting or the message and send again.";
  } else if (status >= 500) {
    hint = "This is not your fault; try again shortly.";
  }
  return { title, detail, hint, code: error.code };
}

// --- Tokens ---------------------------------------------------------------------------------

const FRESH_TOKEN_HINT =
  "Tokens are short-lived: get a fresh one from your app's backend " +
  "(locally: airelay token --sub you) and paste it under Settings.";
const KEY_HINT_TEXT = els.keyHint.textContent;

function isTokenCode(code) {
  return code === "invalid_token" || String(code || "").startsWith("token_");
}

/** Return a signed token's claims (unverified: for display only), or null for an API key. */
function tokenClaims(value) {
  const parts = value.split(".");
  if (parts.length !== 3 || !value.startsWith("eyJ")) return null;
  try {
    const b64 = parts[1].replace(/-/g, "+").replace(/_/g, "/");
    const claims = JSON.parse(atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4)));
    return claims && typeof claims === "object" ? claims : null;
  } catch {
    return null;
  }
}

/** Say under the key field whether it holds a token, whose, and until when. */
function describeCredential() {
  const claims = tokenClaims(els.apiKey.value.trim());
  els.keyHint.classList.remove("expired");
  if (!claims || typeof claims.exp !== "number") {
    els.keyHint.textContent = KEY_HINT_TEXT;
    return;
  }
  const until = new Date(claims.exp * 1000);
  const who = typeof claims.sub === "string" ? ` for ${claims.sub}` : "";
  if (until.getTime() <= Date.now()) {
    showTokenExpired();
    return;
  }
  els.keyHint.textContent = `Signed token${who}, valid until ${until.toLocaleTimeString()}.`;
}

function showTokenExpired() {
  els.keyHint.textContent = `This token has expired. ${FRESH_TOKEN_HINT}`;
  els.keyHint.classList.add("expired");
}

function describeNetworkError(base, error) {
  const sameOrigin = base === window.location.origin;
  return {
    title: "Could not reach the relay",
    detail: `${base}: ${error.message || error}`,
    hint: sameOrigin
      ? "Is the relay running?"
      : "Is the relay running, and does its CORS_ALLOW_ORIGINS include " +
        `${window.location.origin}?`,
  };
}

// --- Streaming --------------------------------------------------------------------------------

function requestBody(route) {
  const temperature = Number.parseFloat(els.temperature.value);
  const body = { model: ROUTES[route].model, stream: true };
  if (route === "chat") {
    body.messages = history.map(({ role, content }) => ({ role, content }));
    body.stream_options = { include_usage: true };
  } else {
    body.input = history.map(({ role, content }) => ({ role, content }));
    body.reasoning = { effort: els.effort.value };
  }
  // The relay validates the value: the page shows its answer rather than second-guessing it.
  if (els.temperature.value.trim() !== "") {
    body.temperature = Number.isNaN(temperature) ? els.temperature.value : temperature;
  }
  return body;
}

/** Read an SSE body, calling `onEvent` for each event; resolves when the stream ends. */
async function readEvents(response, onEvent) {
  const reader = response.body.getReader();
  const parser = new SseParser(onEvent);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.push(value);
    }
    parser.end();
  } finally {
    reader.releaseLock();
  }
}

class StreamError extends Error {
  constructor(title, detail) {
    super(detail);
    this.title = title;
  }
}

/** Apply one chat.completion.chunk event; return true at `[DONE]`. */
function onChatEvent(view, event) {
  if (event.data === "[DONE]") return true;
  const chunk = JSON.parse(event.data);
  if (chunk.error) throw new StreamError("The model failed mid-answer", chunk.error.message);
  for (const choice of chunk.choices || []) {
    view.append(choice.delta?.content || "");
    if (choice.delta?.refusal) view.append(choice.delta.refusal);
  }
  if (chunk.usage) view.showUsage(chunk.usage);
  return false;
}

/** Apply one Responses event; return a finishing note, true when done, or false to go on. */
function onResponsesEvent(view, event) {
  const data = JSON.parse(event.data);
  const type = event.event !== "message" ? event.event : data.type;
  switch (type) {
    case "response.output_text.delta":
    case "response.refusal.delta":
      view.append(data.delta);
      return false;
    case "response.completed":
      if (data.response?.usage) view.showUsage(data.response.usage);
      return true;
    case "response.incomplete": {
      if (data.response?.usage) view.showUsage(data.response.usage);
      const reason = data.response?.incomplete_details?.reason || "unknown reason";
      return `incomplete: ${reason}`;
    }
    case "response.failed":
      throw new StreamError(
        "The model failed mid-answer",
        data.response?.error?.message || "response.failed",
      );
    case "error":
      throw new StreamError("The model failed mid-answer", data.message || data.error?.message);
    default:
      return false;
  }
}

function textOfJson(route, body) {
  if (route === "chat") return body.choices?.[0]?.message?.content || "";
  return (body.output || [])
    .filter((item) => item.type === "message")
    .flatMap((item) => item.content || [])
    .map((part) => part.text || part.refusal || "")
    .join("");
}

async function send(promptText) {
  const route = currentRoute();
  let base;
  try {
    base = relayBase();
    els.relay.setCustomValidity("");
  } catch (error) {
    els.relay.setCustomValidity(error.message);
    els.relay.reportValidity();
    return;
  }
  savePrefs();
  saveKey();
  history.push({ role: "user", content: promptText });
  addMessage("user", promptText);
  const view = new AnswerView();
  const turn = conversation;
  const controller = new AbortController();
  inFlight = controller;
  setBusy(true);
  setStatus(`Streaming from ${ROUTES[route].label}…`);

  const headers = { "content-type": "application/json", accept: "text/event-stream" };
  const key = els.apiKey.value.trim();
  if (key) headers.authorization = `Bearer ${key}`;

  let outcome = "error";
  try {
    let response;
    try {
      response = await fetch(base + ROUTES[route].path, {
        method: "POST",
        headers,
        body: JSON.stringify(requestBody(route)),
        signal: controller.signal,
      });
    } catch (error) {
      if (controller.signal.aborted) throw error;
      view.fail(describeNetworkError(base, error));
      return;
    }
    view.showRequestId(response.headers.get("x-request-id"));
    if (!response.ok) {
      const described = await describeHttpError(response);
      view.fail(described);
      if (response.status === 400) markInvalidSetting(described.detail);
      if (described.code === "token_expired") showTokenExpired();
      return;
    }
    const type = response.headers.get("content-type") || "";
    let note = "";
    if (type.includes("text/event-stream")) {
      let finished = false;
      await readEvents(response, (event) => {
        if (finished) return;
        const result =
          route === "chat" ? onChatEvent(view, event) : onResponsesEvent(view, event);
        if (result) {
          finished = true;
          if (typeof result === "string") note = result;
        }
      });
      if (!finished) note = "stream ended early";
    } else {
      // Some upstreams answer JSON even when a stream was asked for.
      const body = await response.json();
      view.setText(textOfJson(route, body));
      if (body.usage) view.showUsage(body.usage);
    }
    view.finish(note ? "incomplete" : "done", note);
    outcome = "done";
  } catch (error) {
    if (controller.signal.aborted) {
      view.finish("stopped", "Stopped");
      outcome = "stopped";
    } else if (error instanceof StreamError) {
      view.fail({ title: error.title, detail: error.message });
    } else {
      view.fail({ title: "The stream broke", detail: String(error.message || error) });
    }
  } finally {
    inFlight = null;
    setBusy(false);
    // After "New chat" this turn belongs to the old conversation: leave the new one alone.
    if (turn === conversation && outcome === "error") {
      // Forget the failed turn and give the text back, so it can be fixed and sent again.
      history.pop();
      if (!els.prompt.value) els.prompt.value = promptText;
      setStatus(
        els.keyHint.classList.contains("expired")
          ? "Your token has expired: paste a fresh one under Settings, then send again."
          : "The last message was not answered; it is back in the box.",
      );
    } else if (turn === conversation) {
      if (view.text) history.push({ role: "assistant", content: view.text });
      setStatus(outcome === "stopped" ? "Stopped." : "Done.");
    }
    els.prompt.focus();
  }
}

function markInvalidSetting(detail) {
  if (detail.includes("temperature")) {
    els.temperature.setAttribute("aria-invalid", "true");
  }
}

// --- Wiring -----------------------------------------------------------------------------------

// Enter in a settings field must not reload the page.
$("#settings").addEventListener("submit", (event) => event.preventDefault());

els.form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = els.prompt.value.trim();
  if (!text || inFlight) return;
  els.prompt.value = "";
  send(text);
});

els.prompt.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    els.form.requestSubmit();
  }
});

els.stop.addEventListener("click", () => inFlight?.abort());
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && inFlight) inFlight.abort();
});

els.newChat.addEventListener("click", () => {
  inFlight?.abort();
  conversation += 1;
  history = [];
  els.log.replaceChildren();
  els.empty.hidden = false;
  setStatus("New conversation.");
  els.prompt.focus();
});

els.temperatureRange.addEventListener("input", () => {
  els.temperature.value = els.temperatureRange.value;
  els.temperature.removeAttribute("aria-invalid");
  savePrefs();
});
els.temperature.addEventListener("input", () => {
  els.temperatureRange.value = els.temperature.value;
  els.temperature.removeAttribute("aria-invalid");
  savePrefs();
});
for (const radio of document.querySelectorAll('input[name="route"]')) {
  radio.addEventListener("change", () => {
    syncControls();
    savePrefs();
  });
}
els.effort.addEventListener("change", savePrefs);
els.relay.addEventListener("change", () => {
  els.relay.setCustomValidity("");
  savePrefs();
});
els.relay.placeholder = window.location.origin;
els.apiKey.addEventListener("change", saveKey);
els.apiKey.addEventListener("input", describeCredential);
els.keepKey.addEventListener("change", saveKey);

loadPrefs();
describeCredential();
syncControls();
setBusy(false);
document.body.dataset.ready = "true";
