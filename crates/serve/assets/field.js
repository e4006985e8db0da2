// What the pages of the people in the field share: their words, their token, the API, and
// a queue of reports kept in the phone's storage until the server has them. The service
// puts this script into each page where the page says /*FIELD*/.
"use strict";
// The texts of the page, in the language the server chose (message files, not code).
const T = /*TEXTS*/null;
const fill = (id, args) => (T[id] || id).replace(/\{(\w+)\}/g, (_, k) => (args && k in args ? args[k] : ""));
const params = new URLSearchParams(location.search);
if (params.get("token")) {
  localStorage.setItem("lastmetre-token", params.get("token"));
  history.replaceState(null, "", location.pathname);
}
const token = localStorage.getItem("lastmetre-token") || "";
// The page of one area of many is /areas/{id}/porter: the API calls go under it.
const BASE = location.pathname.replace(/\/[a-z]+\/?$/, "");
const QUEUE = "lastmetre-queue";

function el(tag, attrs, text, parent) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

// A key for a request, and one for a list's bytes: the same list sent again (its answer was
// lost) has the same key, so that it is not taken twice.
const newKey = (kind) => kind + "-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10);
function bytesKey(bytes) {
  let h = 0x811c9dc5; // FNV-1a over the bytes: an edited list is another list
  for (const b of new Uint8Array(bytes)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return `list-${h.toString(36)}-${bytes.byteLength}`;
}

function clock(rfc3339) {
  return rfc3339 ? rfc3339.slice(11, 16) : "";
}

function api(path, options) {
  const headers = Object.assign({ Authorization: "Bearer " + token }, (options || {}).headers);
  return fetch(BASE + path, Object.assign({}, options, { headers }));
}

function showOffline(on) {
  const box = document.getElementById("offline");
  box.hidden = !on;
  box.textContent = fill("page-offline");
}

// Reports wait here until the server has them: sent again with the same key, never twice.
const queue = () => JSON.parse(localStorage.getItem(QUEUE) || "[]");
// What was reported from this phone, by `what` (an order, a trip's stop), kept for the page.
const reported = () => new Set(queue().map((q) => q.what).concat(JSON.parse(localStorage.getItem(QUEUE + "-sent") || "[]")));

// The phone's clock against the service's, from the latest answer to GET /me: a tap's time
// is the service's time of the tap, whatever the phone's clock says.
let skewMs = 0;
const serviceNow = () => new Date(Date.now() + skewMs).toISOString();

// `what` keys the report for the page; `label` names it to the person if it is refused.
// Each report keeps the time of the tap (so that one sent later says when it happened), and
// the token and area it was made with (so that another link on the same phone cannot send
// it as someone else's).
function report(what, label, body, after) {
  const key = newKey("tap");
  const list = queue();
  list.push({ key, what, label, token, base: BASE, body: Object.assign({ at: serviceNow() }, body) });
  localStorage.setItem(QUEUE, JSON.stringify(list));
  after();
  flush(after);
}

// Whether to send a report again later: the network, the service down or busy (5xx, 408,
// 429), the first sending still being applied (409 idempotency_key_in_flight), or a 401
// with the token this page holds (the service may be restarting with its tokens). Every
// other answer settles it: taken (2xx), or refused with its reason.
function again(status, code, item) {
  return status >= 500 || status === 408 || status === 429
    || (status === 409 && code === "idempotency_key_in_flight")
    || (status === 401 && item.token === token);
}

let flushing = false;
async function flush(after) {
  if (flushing) return;
  flushing = true;
  const before = queue().length;
  try {
    for (const item of queue()) {
      let r;
      try {
        r = await fetch((item.base ?? BASE) + "/me/report", {
          method: "POST",
          headers: { Authorization: "Bearer " + (item.token ?? token), "Content-Type": "application/json", "Idempotency-Key": item.key },
          body: JSON.stringify(item.body),
        });
      } catch (e) {
        showOffline(true);
        return;
      }
      showOffline(false);
      const answer = r.ok ? {} : await r.json().catch(() => ({}));
      const code = (answer.error || {}).code || String(r.status);
      if (again(r.status, code, item)) return; // in order: a later report waits for this one
      if (r.ok) {
        const sent = JSON.parse(localStorage.getItem(QUEUE + "-sent") || "[]");
        sent.push(item.what);
        localStorage.setItem(QUEUE + "-sent", JSON.stringify(sent.slice(-500)));
      } else {
        // Refused (a drop no longer the porter's, a second delivery, a link replaced): said,
        // and the buttons come back, since the drop is not reported.
        const refused = JSON.parse(localStorage.getItem(QUEUE + "-refused") || "[]");
        const why = item.token !== token ? fill("page-old-link") : T["error-" + code] || (answer.error || {}).message || code;
        refused.push({ label: item.label, why });
        localStorage.setItem(QUEUE + "-refused", JSON.stringify(refused.slice(-5)));
      }
      localStorage.setItem(QUEUE, JSON.stringify(queue().filter((q) => q.key !== item.key)));
    }
  } finally {
    flushing = false;
    const waiting = queue().length;
    const q = document.getElementById("queue");
    if (q) {
      q.hidden = waiting === 0;
      q.textContent = fill("page-queued", { n: waiting });
    }
    showRefused();
    // The page is drawn again only when a report left (or was added): not every 5 s.
    if (after && queue().length !== before) after();
  }
}

// Reports the server refused, the latest five, until the person has seen them.
function showRefused() {
  const box = document.getElementById("refused");
  if (!box) return;
  const refused = JSON.parse(localStorage.getItem(QUEUE + "-refused") || "[]");
  box.hidden = refused.length === 0;
  box.textContent = "";
  for (const r of refused) el("li", {}, fill("page-report-refused", { what: r.label, why: r.why }), box);
  if (refused.length) {
    const ok = el("button", { class: "seen" }, fill("page-seen"), box);
    ok.addEventListener("click", () => { localStorage.removeItem(QUEUE + "-refused"); showRefused(); });
  }
}

// The caller's own work (GET /me), or null when the network is down.
async function loadMe() {
  try {
    const r = await api("/me");
    if (r.ok) {
      showOffline(false);
      const me = await r.json();
      if (me.now) skewMs = Date.parse(me.now) - Date.now();
      return me;
    }
    // A link without a valid token: say so, rather than show an empty page.
    const body = await r.json().catch(() => ({}));
    const box = document.getElementById("offline");
    box.hidden = false;
    box.textContent = T["error-" + ((body.error || {}).code || "")] || fill("error-unauthorized");
  } catch (e) {
    showOffline(true);
  }
  return null;
}
