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

function report(what, body, after) {
  const key = "tap-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10);
  const list = queue();
  list.push({ key, what, body });
  localStorage.setItem(QUEUE, JSON.stringify(list));
  after();
  flush(after);
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
        r = await api("/me/report", {
          method: "POST",
          headers: { "Content-Type": "application/json", "Idempotency-Key": item.key },
          body: JSON.stringify(item.body),
        });
      } catch (e) {
        showOffline(true);
        return;
      }
      if (r.status >= 500) return; // the server will take it later
      showOffline(false);
      const sent = JSON.parse(localStorage.getItem(QUEUE + "-sent") || "[]");
      sent.push(item.what);
      localStorage.setItem(QUEUE + "-sent", JSON.stringify(sent.slice(-500)));
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
    // The page is drawn again only when a report left (or was added): not every 5 s.
    if (after && queue().length !== before) after();
  }
}

// The caller's own work (GET /me), or null when the network is down.
async function loadMe() {
  try {
    const r = await api("/me");
    if (r.ok) {
      showOffline(false);
      return await r.json();
    }
  } catch (e) {
    showOffline(true);
  }
  return null;
}
