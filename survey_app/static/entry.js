/* Heads-down paper entry: codes checked as they are typed, skip logic, keyboard only.
   The server checks everything again with the questionnaire engine (operations/keying.py);
   this script only saves keystrokes and catches typing errors early. Without it the page is
   a plain form. */
(function () {
  "use strict";
  // The code expansion and the date reader, for the test that holds them equal to the engine.
  window.EntryKeys = { expand: expand, readDate: readDate };
  var form = document.getElementById("entry-form");
  var dataEl = document.getElementById("entry-data");
  if (!form || !dataEl) return;
  var data = JSON.parse(dataEl.textContent), BLANK = data.blank, M = data.messages;
  var questions = data.questions;
  var byId = {};
  questions.forEach(function (q) {
    q.input = document.getElementById("k-" + q.id);
    q.block = document.getElementById("eq-" + q.id);
    q.echo = q.block.querySelector(".echo");
    byId[q.id] = q;
  });
  var village = document.getElementById("f-village"), serial = document.getElementById("f-serial");
  var date = document.getElementById("f-date"), interviewer = document.getElementById("f-interviewer");
  var save = document.getElementById("save"), serialNote = document.getElementById("serial-note");
  // Present when the questionnaire asks consent: only a form with its box ticked is keyed.
  var consent = document.getElementById("f-consent"), consentNote = document.getElementById("consent-note");

  function fmt(text, params) {
    return text.replace(/\{(\w+)\}/g, function (m, k) { return k in params ? params[k] : m; });
  }
  function fold(s) { return s.toLowerCase(); }

  /* ---- typed text -> value, as operations/keying.py does ---- */
  function expand(q, token) {
    var codes = q.codes.map(function (c) { return c.code; });
    if (codes.indexOf(token) >= 0) return token;
    var same = codes.filter(function (c) { return fold(c) === fold(token); });
    if (same.length === 1) return same[0];
    var starts = codes.filter(function (c) { return fold(c).indexOf(fold(token)) === 0; });
    return starts.length === 1 ? starts[0] : token;
  }
  function label(q, code) {
    for (var i = 0; i < q.codes.length; i++) if (q.codes[i].code === code) return q.codes[i].label;
    return null;
  }
  function oneCode(q, text) {
    var code = expand(q, text);
    if (label(q, code) === null) return { error: fmt(M.invalid, { code: text }) };
    var others = q.codes.filter(function (c) { return c.code !== code && fold(c.code).indexOf(fold(text)) === 0; });
    return { value: code, echo: label(q, code), complete: others.length === 0, canonical: code };
  }
  function manyCodes(q, text) {
    var tokens = text.split(/[\s,;]+/).filter(Boolean), chosen = [];
    for (var i = 0; i < tokens.length; i++) {
      var code = expand(q, tokens[i]);
      if (label(q, code) === null) return { error: fmt(M.invalid, { code: tokens[i] }) };
      if (chosen.indexOf(code) < 0) chosen.push(code);
    }
    if (chosen.length > 1) {
      var alone = chosen.filter(function (c) { return (q.alone || []).indexOf(c) >= 0; });  // special or exclusive
      if (alone.length) return { error: fmt(M.specialAlone, { code: alone[0] }) };
    }
    var ordered = q.codes.map(function (c) { return c.code; }).filter(function (c) { return chosen.indexOf(c) >= 0; });
    return { value: ordered, echo: ordered.map(function (c) { return label(q, c); }).join(" · "), complete: false };
  }
  function integer(q, text) {
    if (!/^[+-]?\d+$/.test(text)) return { error: M.number };
    var n = parseInt(text, 10);
    if (q.min !== null && n < q.min) return { error: fmt(M.atLeast, { min: q.min }) };
    if (q.max !== null && n > q.max) return { error: fmt(M.atMost, { max: q.max }) };
    var digits = q.max !== null && q.max >= 0 ? String(q.max).length : 99;
    return { value: n, echo: "", complete: text.replace(/^[+-]/, "").length >= digits };
  }
  /* Day-month-year as on paper: 31-12-2026, 31/12/2026 or just the eight digits 31122026;
     the ISO day it names, or null. The bounds are the server's: they need the interview date. */
  function readDate(text) {
    var m = /^(\d{2})(\d{2})(\d{4})$/.exec(text) || /^(\d{1,2})[-\/. ](\d{1,2})[-\/. ](\d{4})$/.exec(text);
    if (!m) return null;
    var d = +m[1], mo = +m[2], y = +m[3], day = new Date(Date.UTC(y, mo - 1, d));
    if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return null;
    return day.toISOString().slice(0, 10);
  }
  function date(q, text) {
    var iso = readDate(text);
    if (iso === null) return { error: M.date };
    return { value: iso, echo: iso.slice(8) + "-" + iso.slice(5, 7) + "-" + iso.slice(0, 4), complete: true };
  }
  function freeText(q, text) {
    var limit = q.maxLength || (q.type === "long_text" ? 2000 : 200);
    if (text.length > limit) return { error: fmt(M.tooLong, { max_length: limit }) };
    return { value: text, echo: "", complete: false };
  }
  var PARSERS = {
    single_choice: oneCode, yes_no: oneCode, multiple_choice: manyCodes,
    integer: integer, date: date, short_text: freeText, long_text: freeText
  };
  var TEXT_TYPES = { short_text: true, long_text: true };

  function parse(q) {
    var text = q.input.value.trim();
    if (text === "") return { empty: true, value: null };
    if (text === BLANK) return { blank: true, value: null, echo: M.blank, complete: !TEXT_TYPES[q.type] };
    return PARSERS[q.type](q, text);
  }

  /* ---- show_if ---- */
  var evaluate = window.ShowIf.evaluate;  // showif.js, shared with the other form

  /* Walk in file order, as the server does: hidden questions are skipped and not sent. */
  function refresh() {
    var answers = {};
    questions.forEach(function (q) {
      var shown = !q.showIf || evaluate(q.showIf, answers);
      q.block.hidden = !shown;
      q.block.classList.remove("skipped");
      q.input.disabled = !shown;
      if (!shown) return;
      var r = parse(q);
      if (!r.error && r.value !== null && r.value !== undefined) answers[q.id] = r.value;
    });
  }

  function show(q, r, strict) {
    var error = r.error || (strict && r.empty && q.required ? M.required : "");
    var old = q.block.querySelector(".error");
    if (old) old.remove();
    q.block.classList.toggle("invalid", !!error);
    q.input.setAttribute("aria-invalid", error ? "true" : "false");
    q.echo.textContent = error ? "" : (r.echo || "");
    if (error) {
      var p = document.createElement("p");
      p.className = "error";
      p.setAttribute("role", "alert");
      p.textContent = error;
      q.block.appendChild(p);
    }
    return !error;
  }

  /* ---- moving through the form ---- */
  function stops() {
    var list = [];
    if (village && village.options.length > 1) list.push(village);
    list.push(serial, date, interviewer);
    if (consent) list.push(consent);
    questions.forEach(function (q) { if (!q.input.disabled) list.push(q.input); });
    list.push(save);
    return list;
  }
  function next(el) {
    var list = stops(), i = list.indexOf(el);
    var target = list[Math.min(i + 1, list.length - 1)];
    // Date and interviewer are kept from the last form (CSPro's persistent fields):
    // Enter on the serial goes straight to the consent box or the answers; Tab still reaches them.
    if (el === serial && /^\d{4}-\d{2}-\d{2}$/.test(date.value.trim())) target = list[i + 3];
    target.focus();
    if (target.select) target.select();
  }
  function questionOf(el) { return el && el.id && el.id.indexOf("k-") === 0 ? byId[el.id.slice(2)] : null; }

  function checkAll() {
    refresh();
    var first = null;
    questions.forEach(function (q) {
      if (q.input.disabled) return;
      if (!show(q, parse(q), true) && !first) first = q.input;
    });
    if (!village.value && !first) first = village;
    if (!serial.value.trim() && !first) first = serial;
    if (consent && !checkConsent(true) && !first) first = consent;
    return first;
  }
  /* The consent box as keyed: "1" (ticked) or nothing yet; anything else is refused. */
  function checkConsent(strict) {
    var value = consent.value.trim();
    var error = value === "1" ? "" : value ? M.noConsent : strict ? M.consent : "";
    consent.parentNode.classList.toggle("invalid", !!error);
    consent.setAttribute("aria-invalid", error ? "true" : "false");
    consentNote.textContent = error;
    consentNote.className = "note" + (error ? " error" : "");
    return !error;
  }
  function trySave() {
    var bad = checkAll();
    if (bad) { bad.focus(); return false; }
    form.submit();
    return true;
  }

  form.addEventListener("input", function (event) {
    if (consent && event.target === consent) {
      if (checkConsent(false) && consent.value.trim()) next(consent);
      return;
    }
    var q = questionOf(event.target);
    if (!q) return;
    var r = parse(q);
    refresh();
    show(q, r, false);
    if (!r.error && r.complete) {
      if (r.canonical) q.input.value = r.canonical;
      next(q.input);
    }
  });
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) || (event.key === "s" && event.ctrlKey)) {
      event.preventDefault();
      trySave();
      return;
    }
    if (event.key !== "Enter" || event.target === save) return;
    event.preventDefault();
    var q = questionOf(event.target);
    if (q && !show(q, parse(q), true)) return;  // stay until the code is right (or "-")
    if (consent && event.target === consent && !checkConsent(true)) return;  // no consent, no answers
    if (event.target === serial) {
      // Move on only once the serial is known to be free: a taken one keeps the cursor.
      checkSerial().then(function (bad) { if (bad) serial.select(); else next(serial); });
      return;
    }
    next(event.target);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    trySave();
  });
  form.addEventListener("focusout", function (event) {
    var q = questionOf(event.target);
    if (q && q.input.value.trim()) show(q, parse(q), false);
  });

  /* ---- the serial: is it new, awaiting a second entry, or taken? ---- */
  var checks = {};
  /* Resolves to true when the serial cannot be used. Asked as the serial is typed, so the
     answer is usually known by the time Enter is pressed; a failed check lets the volunteer
     go on (the server checks again when the form is saved). */
  function checkSerial() {
    var value = serial.value.trim(), key = value + "|" + village.value;
    if (!value) return Promise.resolve(false);
    if (!checks[key]) {
      serialNote.textContent = M.checking;
      var url = serial.dataset.check + "?serial=" + encodeURIComponent(value) + "&village=" + encodeURIComponent(village.value);
      checks[key] = fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (d) {
          if (d.village && village.value !== d.village && village.querySelector("option[value='" + d.village + "']")) {
            village.value = d.village;  // a pre-printed serial names its village
            return checkSerial();
          }
          var bad = d.state === "taken" || d.state === "done" || d.state === "own";
          if (serial.value.trim() + "|" + village.value === key) {  // not a reply to an older keystroke
            serialNote.textContent = d.message;
            serial.parentNode.classList.toggle("invalid", bad);
            serialNote.className = "note state-" + d.state + (bad ? " error" : "");
          }
          return bad;
        })
        .catch(function () { delete checks[key]; serialNote.textContent = ""; return false; });
    }
    return checks[key];
  }
  serial.addEventListener("input", checkSerial);
  village.addEventListener("change", checkSerial);
  serial.addEventListener("change", function () {
    // Tabbed away from a taken serial: back to it, unless the volunteer went to change the village.
    checkSerial().then(function (bad) {
      if (bad && document.activeElement !== village) { serial.focus(); serial.select(); }
    });
  });

  /* ---- start: the server marks the first field to fill (autofocus) ---- */
  refresh();
  (form.querySelector("[autofocus]") || serial).focus();
})();
