// The idle timeout on a signed-in page: a countdown before it with "Stay signed in", and a
// form kept at the timeout filled in again after signing in (never submitted from here).
"use strict";

(() => {
  const SEEN_KEY = "idle-seen-at";  // shared by this browser's tabs: any page shown counts
  let seenAt = performance.timeOrigin;  // the request began then, so the server's clock later
  let typed = false;

  function share(moment) {
    try { localStorage.setItem(SEEN_KEY, String(moment)); } catch (error) { /* private mode */ }
  }

  function lastSeen() {
    let shared = 0;
    try { shared = Number(localStorage.getItem(SEEN_KEY)) || 0; } catch (error) { /* none */ }
    return Math.max(seenAt, shared);
  }

  function clock(seconds) {
    return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
  }

  function signedOut(box, timer) {
    clearInterval(timer);
    box.hidden = false;
    box.querySelector("#idle-message").textContent = "You have been signed out for inactivity.";
    box.querySelector("#idle-stay").hidden = true;
    box.querySelector("#idle-sign-in").hidden = false;
    // Left as it is when something was typed: sending it then keeps it for after sign-in.
    if (!typed) setTimeout(() => window.location.assign(box.dataset.signIn), 3000);
  }

  function stay(box) {
    fetch(box.dataset.keepAlive, { method: "POST", credentials: "same-origin", redirect: "manual",
                                   headers: { "X-CSRFToken": box.dataset.csrf } })
      .then((response) => {
        if (response.status !== 204) return;  // signed out already: the countdown ends it
        seenAt = Date.now();
        share(seenAt);
        box.hidden = true;
      })
      .catch(() => {});  // offline: the countdown carries on and says what happened
  }

  function watch(box) {
    const idle = Number(box.dataset.idleSeconds) * 1000;
    const warn = Number(box.dataset.warnSeconds) * 1000;
    const countdown = box.querySelector("#idle-countdown");
    const timer = setInterval(() => {
      const left = lastSeen() + idle - Date.now();
      if (left <= 0) { signedOut(box, timer); return; }
      box.hidden = left > warn;
      countdown.textContent = clock(Math.ceil(left / 1000));
    }, 1000);
    box.querySelector("#idle-stay").addEventListener("click", () => stay(box));
  }

  function fill(form, fields) {
    const sent = new Map();
    fields.forEach(([name, value]) => sent.set(name, [...(sent.get(name) || []), value]));
    const used = new Map();
    Array.from(form.elements).forEach((el) => {
      if (!el.name || el.name === "csrf_token" || /^(password|file|submit|button|reset)$/.test(el.type)) return;
      const values = sent.get(el.name) || [];
      if (el.type === "checkbox" || el.type === "radio") { el.checked = values.includes(el.value); return; }
      if (!sent.has(el.name)) return;
      if (el.multiple) { Array.from(el.options).forEach((o) => { o.selected = values.includes(o.value); }); return; }
      const index = used.get(el.name) || 0;  // fields sent under one name fill in turn
      used.set(el.name, index + 1);
      if (index < values.length) el.value = values[index];
    });
  }

  function restore() {
    const data = document.getElementById("kept-form");
    if (!data) return;
    const kept = JSON.parse(data.textContent);
    const forms = Array.from(document.forms);
    const actionOf = (form) => { const url = new URL(form.action, window.location.href); return url.pathname + url.search; };
    const form = forms.find((f) => f.method === "post" && actionOf(f) === kept.action)
      || forms.find((f) => kept.fields.some(([name]) => name !== "submission_key" && f.elements.namedItem(name)));
    if (!form) return;
    fill(form, kept.fields);
    typed = true;
    const first = Array.from(form.elements).find((el) => el.name && el.type !== "hidden" && !el.disabled);
    if (first) first.focus();
  }

  document.addEventListener("DOMContentLoaded", () => {
    share(Math.max(lastSeen(), performance.timeOrigin));
    document.addEventListener("input", () => { typed = true; });
    restore();
    const box = document.getElementById("idle-warning");
    if (box) watch(box);
  });
})();
