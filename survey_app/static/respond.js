/* Progressive enhancement of the resident form: skip logic on the page, client-side
   pages, and an offline outbox (IndexedDB) replayed until the server acknowledges.
   The server stays the judge: it cleans every answer again. */
(function () {
  "use strict";
  var doc = document, form = doc.getElementById("survey"), statusEl = doc.getElementById("status");
  doc.documentElement.className += " js";
  var DB = "survey-outbox", STORE = "outbox";

  function say(text) { if (statusEl) statusEl.textContent = text || ""; }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16)), h = [];
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    for (var i = 0; i < 16; i++) h.push((b[i] + 256).toString(16).slice(1));
    return h.slice(0, 4).join("") + "-" + h.slice(4, 6).join("") + "-" + h.slice(6, 8).join("") + "-" +
      h.slice(8, 10).join("") + "-" + h.slice(10).join("");
  }

  /* ---- outbox ---- */
  function withStore(mode, fn) {
    return new Promise(function (resolve, reject) {
      if (!window.indexedDB) return reject(new Error("no indexedDB"));
      var open = indexedDB.open(DB, 1);
      open.onupgradeneeded = function () { open.result.createObjectStore(STORE, { keyPath: "key" }); };
      open.onerror = function () { reject(open.error); };
      open.onsuccess = function () {
        var tx = open.result.transaction(STORE, mode), req = fn(tx.objectStore(STORE));
        tx.oncomplete = function () { resolve(req && req.result); open.result.close(); };
        tx.onerror = function () { reject(tx.error); };
      };
    });
  }
  // Without IndexedDB (some private modes) the outbox lives in memory: it is still retried
  // while the page stays open.
  var memory = {};
  function keep(item) {
    return withStore("readwrite", function (s) { return s.put(item); }).catch(function () { memory[item.key] = item; });
  }
  function drop(key) {
    delete memory[key];
    return withStore("readwrite", function (s) { return s.delete(key); }).catch(function () {});
  }
  function pending() {
    var inMemory = Object.keys(memory).map(function (k) { return memory[k]; });
    return withStore("readonly", function (s) { return s.getAll(); })
      .then(function (items) { return items.concat(inMemory); }, function () { return inMemory; });
  }

  function token(item, fresh) {
    if (!fresh && item.csrf) return Promise.resolve(item.csrf);
    return fetch(item.csrfUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (d) { item.csrf = d.csrf_token; return keep(item).then(function () { return item.csrf; }); });
  }

  /* Send one saved form. Resolves to the server's verdict; network trouble rejects. */
  function send(item, retried) {
    return token(item, retried).then(function (csrf) {
      return fetch(item.url, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify(item.payload)
      });
    }).then(function (r) {
      if (r.status === 400 && !retried) {  // an expired token or session: fetch a fresh one, once
        return r.json().then(function (d) { return d.error === "csrf" ? send(item, true) : { status: 400, body: d }; });
      }
      // Reached, but not now (too many answers from this network, or the server resting):
      // the answers stay in the outbox, and the resident is told it is not their signal.
      if (r.status === 429 || r.status >= 500) { var busy = new Error("retry later"); busy.busy = true; throw busy; }
      return r.json().then(function (d) { return { status: r.status, body: d }; });
    });
  }

  /* The answers of this page arrived: say thank you here, with no further round trip for
     the thank-you page. Its address is shown, so a reload asks the server for that page. */
  var thanked = false;
  function thank(url) {
    var main = doc.querySelector("main"), title = doc.createElement("h1"), text = doc.createElement("p");
    title.textContent = form.dataset.thanksTitle;
    text.textContent = form.dataset.thanksText;
    statusEl.textContent = "";
    main.replaceChildren(doc.getElementById("waiting"), title, text, statusEl);
    doc.title = form.dataset.thanksTitle;
    thanked = true;
    if (window.history && history.replaceState) history.replaceState(null, "", url);
    window.scrollTo(0, 0);
  }

  /* How many answers wait on this phone, shown on every resident page. */
  function showWaiting() {
    var el = doc.getElementById("waiting");
    if (!el) return;
    return pending().then(function (items) {
      el.hidden = !items.length;
      el.textContent = (items.length === 1 ? el.dataset.one : el.dataset.other).replace("{n}", items.length);
    });
  }

  // One replay at a time; a form saved during a replay gets its own pass right after it.
  var running = null, again = false, trouble = "offline";
  function flush() {
    if (running) { again = true; return running; }
    running = pending().then(function (items) {
      return items.reduce(function (chain, item) {
        return chain.then(function () {
          return send(item).then(function (res) {
            return drop(item.key).then(function () {
              if (!form || !statusEl) return;
              if (res.status === 422 && item.key === currentKey()) showErrors(res.body.errors || {});
              else if (res.status === 409) say(form.dataset.conflict);
              else if (res.status === 403 || res.status === 410) say(form.dataset.closed);
              else if (item.key === currentKey() && res.body.thanks_url) thank(res.body.thanks_url);
              else say(form.dataset.sent);
            });
          }, function (error) { trouble = error && error.busy ? "busy" : "offline"; });  // kept for the next try
        });
      }, Promise.resolve());
    }).catch(function () {}).then(function () {
      running = null;
      if (again) { again = false; return flush(); }
      return showWaiting();
    });
    return running;
  }
  window.addEventListener("online", flush);
  setInterval(flush, 30000);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/s/sw.js", { scope: "/s/" }).catch(function () {});
    // Every page asks the worker to keep it and its files: the first visit was not served by
    // it, and the questions after the consent step may be the first page it controls. Pages it
    // already kept are found at once; the reply says the page may now be reopened offline.
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.kept) doc.documentElement.setAttribute("data-offline-ready", "");
    });
    navigator.serviceWorker.ready.then(function (registration) {
      var files = [].map.call(doc.querySelectorAll("link[rel=stylesheet], script[src]"),
                              function (el) { return el.href || el.src; });
      if (registration.active) registration.active.postMessage({ keep: [location.href].concat(files) });
    });
  }
  // Ask that the outbox and the kept pages survive the browser's clean-ups when storage runs
  // low (Chromium decides without asking the resident; others may ask once).
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(function () {});
  flush();
  // A no-JS step's page holds one section (the others' answers hidden): it stays a plain form.
  if (!form || form.hasAttribute("data-partial")) return;

  /* ---- the form ---- */
  function currentKey() { return form.elements._key.value; }
  form.elements._key.value = uuid();  // a page from the phone's cache must not reuse a key
  var blocks = [].slice.call(form.querySelectorAll(".q")), pages = [].slice.call(form.querySelectorAll(".page"));
  var page = +form.elements._page.value;

  function valueOf(block) {
    var inputs = [].slice.call(block.querySelectorAll("input,textarea")), type = block.dataset.type;
    if (type === "multiple_choice") {
      var list = inputs.filter(function (i) { return i.checked; }).map(function (i) { return i.value; });
      return list.length ? list : null;
    }
    if (inputs[0] && (inputs[0].type === "radio")) {
      var on = inputs.filter(function (i) { return i.checked; })[0];
      return on ? on.value : null;
    }
    var text = inputs[0] ? inputs[0].value.trim() : "";
    return text === "" ? null : text;
  }
  var evaluate = window.ShowIf.evaluate;  // showif.js, shared with the other form

  /* Walk questions in file order, as the server does: hidden answers do not count. */
  function refresh() {
    var answers = {};
    blocks.forEach(function (block) {
      var rule = block.dataset.showIf, shown = !rule || evaluate(JSON.parse(rule), answers);
      block.hidden = !shown;
      [].forEach.call(block.querySelectorAll("input,textarea"), function (i) { i.disabled = !shown; });
      var v = shown ? valueOf(block) : null;
      if (v !== null) answers[block.dataset.q] = v;
    });
    return answers;
  }
  function visiblePages() {
    return pages.filter(function (p) { return p.querySelector(".q:not([hidden])"); })
      .map(function (p) { return +p.dataset.index; });
  }
  function show(index) {
    page = index;
    pages.forEach(function (p) { p.hidden = +p.dataset.index !== index; });
    var shown = visiblePages(), pos = shown.indexOf(index);
    doc.getElementById("progress").textContent =
      form.dataset.progress.replace("{n}", pos + 1).replace("{total}", shown.length);
    var next = doc.getElementById("next"), back = doc.getElementById("back"), intro = doc.getElementById("intro");
    next.textContent = pos === shown.length - 1 ? form.dataset.send : form.dataset.next;
    if (back) back.hidden = pos <= 0;
    if (intro) intro.hidden = pos > 0;  // the survey's introduction belongs to its first page
    form.elements._page.value = index;
  }
  function markError(block, message) {
    var old = block.querySelector(".error"); if (old) old.parentNode.removeChild(old);
    block.classList.toggle("invalid", !!message);
    if (!message) return;
    var p = doc.createElement("p"); p.className = "error"; p.id = "e-" + block.dataset.q; p.textContent = message;
    var anchor = block.querySelector("fieldset") || block;
    anchor.insertBefore(p, anchor.querySelector(".choice,input,textarea"));
  }
  function checkPage(index) {
    var ok = true;
    pages[index].querySelectorAll(".q").forEach(function (block) {
      var missing = !block.hidden && "required" in block.dataset && valueOf(block) === null;
      markError(block, missing ? form.dataset.required : "");
      if (missing && ok) { ok = false; (block.querySelector("input,textarea") || block).focus(); }
    });
    return ok;
  }
  function showErrors(errors) {
    var first = null;
    blocks.forEach(function (block) {
      markError(block, errors[block.dataset.q] || "");
      if (errors[block.dataset.q] && first === null) first = block;
    });
    if (first) { show(+first.closest(".page").dataset.index); say(form.dataset.fix); first.scrollIntoView(); }
  }

  // An answer can hide or show a later section: the page count and the button follow.
  function changed() { refresh(); show(page); }
  form.addEventListener("change", changed);
  form.addEventListener("input", changed);
  refresh();
  show(page);
  // Each section is a history entry, so the phone's back button goes back one section
  // instead of leaving the form (and the answers typed so far).
  if (window.history && history.replaceState) history.replaceState({ page: page }, "");
  window.addEventListener("popstate", function (event) {
    if (thanked) { location.reload(); return; }  // back from the thanks: a fresh, empty form
    if (event.state && typeof event.state.page === "number") { refresh(); show(event.state.page); }
  });
  function go(index) {
    show(index);
    if (window.history && history.pushState) history.pushState({ page: index }, "");
    window.scrollTo(0, 0);
  }

  form.addEventListener("submit", function (event) {
    var nav = event.submitter ? event.submitter.value : "next";
    if (nav.indexOf("lang-") === 0) return;  // the server re-renders in the other language
    event.preventDefault();
    var answers = refresh(), shown = visiblePages(), pos = shown.indexOf(page);
    if (nav === "back") { if (pos > 0) history.back(); return; }
    if (!checkPage(page)) return;
    if (pos < shown.length - 1) { go(shown[pos + 1]); return; }
    var item = {
      key: currentKey(), url: form.dataset.submit, csrfUrl: form.dataset.csrf,
      csrf: form.elements.csrf_token.value,
      payload: { submission_key: currentKey(), started_at: form.elements._started.value, answers: answers,
                 order_seed: form.elements._order.value,
                 consent: form.elements._consent ? form.elements._consent.value : null,
                 _website: form.elements._website.value }
    };
    keep(item).then(function () {
      return flush().then(pending).then(function (items) {
        if (items.some(function (i) { return i.key === item.key; })) {
          say(trouble === "busy" ? form.dataset.busy : form.dataset.queued);
          statusEl.scrollIntoView();  // the resident tapped "Send" at the bottom: show them it is kept
        }
      });
    });
  });
})();
