// The class pulse dashboard: polls api/state and redraws (no reload). Everything a learner
// could influence (a pseudonym) is written with textContent, never as HTML.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  let showAll = params.get("all") === "1";
  let seen = 0;
  let lastState = null;
  const openSay = new Set();
  const xsrf = document.querySelector("meta[name=pulse-xsrf]").content;
  const xsrfHeader = xsrf ? {"X-XSRFToken": xsrf} : {};

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v; else e.setAttribute(k, v);
    }
    for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  }

  function exercise(ex, stuckAfter) {
    const trying = ex.started - ex.passed;
    const card = el("article", {class: "ex", "data-checker": ex.checker});
    card.append(el("h3", {}, ex.title + (ex.checkpoint ? " · checkpoint" : "")));
    card.append(el("div", {class: "counts"},
      el("span", {class: "passed", "data-field": "passed"}, ex.passed), " of ",
      el("span", {"data-field": "started"}, ex.started), " passed",
      el("span", {class: "stuckn"}, ex.stuck.length ? ex.stuck.length + " stuck" : "")));
    const bar = el("div", {class: "bar", role: "presentation"}, el("div", {}));
    bar.firstChild.style.width = (ex.started ? (100 * ex.passed / ex.started) : 0) + "%";
    card.append(bar);
    if (ex.stuck.length) {
      card.append(el("p", {class: "stuck", "data-field": "stuck"},
        `${stuckAfter}+ tries without passing: ` +
        ex.stuck.map((s) => `${s.who} (${s.fails}×, ${s.code})`).join(", ")));
    }
    if (ex.codes.length) {
      const ol = el("ol", {class: "codes", "data-field": "codes"});
      for (const c of ex.codes) {
        const li = el("li", {"data-code": c.code}, el("span", {class: "code"}, c.code),
          ` — ${c.learners} learner${c.learners === 1 ? "" : "s"} now`);
        if (c.slips.length) li.append(el("div", {class: "slip"}, "the slip: " + c.slips.join("; ")));
        if (c.message) li.append(el("div", {class: "msg"}, "checker says: " + c.message));
        ol.append(li);
      }
      card.append(ol);
    } else if (ex.started) {
      card.append(el("p", {class: "empty"}, trying ? "" : "everyone who tried has passed"));
    }
    return card;
  }

  function render(st) {
    $("learners").textContent = st.learners;
    $("verdicts").textContent = st.seq;
    const main = $("lessons");
    const frag = document.createDocumentFragment();
    const lessons = st.lessons.filter((l) => showAll || l.last > 0);
    for (const lesson of lessons) {
      const sec = el("section", {class: "lesson", "data-lesson": lesson.num});
      sec.append(el("h2", {}, "Lesson " + lesson.title));
      if (lesson.checkpoints.length) {
        const cp = el("p", {class: "checkpoints"});
        for (const c of lesson.checkpoints) {
          cp.append(el("span", {}, `✓ Checkpoint ${c.id}: ${c.passed} of ${c.started} passed`));
        }
        sec.append(cp);
      }
      const grid = el("div", {class: "grid"});
      for (const ex of lesson.exercises) {
        if (showAll || ex.started) grid.append(exercise(ex, st.stuck_after));
      }
      sec.append(grid);
      if (lesson.what_to_say) {
        const d = el("details", {class: "say"}, el("summary", {}, "What to say"), lesson.what_to_say);
        d.open = openSay.has(lesson.num);
        d.addEventListener("toggle", () => d.open ? openSay.add(lesson.num) : openSay.delete(lesson.num));
        sec.append(d);
      }
      frag.append(sec);
    }
    if (!lessons.length) frag.append(el("p", {class: "empty"},
      "No verdicts yet: the page fills in as learners run the checkers."));
    main.replaceChildren(frag);
  }

  async function poll() {
    let wait = 1000;
    try {
      const r = await fetch("api/state", {credentials: "same-origin", cache: "no-store", headers: xsrfHeader});
      if (!r.ok) {
        let why = r.statusText;
        try { why = (await r.json()).error || why; } catch (e) { /* not JSON */ }
        $("status").textContent = `not updating: HTTP ${r.status} ${why}`;
        wait = 5000;
      } else {
        const st = await r.json();
        wait = st.poll_ms || 1000;
        $("status").textContent = "";
        if (st.seq !== seen || lastState === null) { seen = st.seq; lastState = st; render(st); }
        $("updated").textContent = "updated " + new Date().toLocaleTimeString();
      }
    } catch (e) {
      $("status").textContent = "not updating: the pulse service does not answer";
      wait = 3000;
    }
    setTimeout(poll, wait);
  }

  function toggle(btn, on) { btn.setAttribute("aria-pressed", on ? "true" : "false"); }
  $("big").addEventListener("click", () => {
    const on = document.body.classList.toggle("big");
    toggle($("big"), on);
  });
  $("all").addEventListener("click", () => {
    showAll = !showAll;
    toggle($("all"), showAll);
    if (lastState) render(lastState);
  });
  if (params.get("big") === "1") { document.body.classList.add("big"); toggle($("big"), true); }
  toggle($("all"), showAll);
  poll();
})();
