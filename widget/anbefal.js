/*! Anbefal | MIT */
// Plain ES2017 in one function: nothing to build, nothing leaks into the host
// page but the one global `anbefal`. Every entry point is wrapped in `safe`, so
// whatever goes wrong here never throws into the page that embeds it.
// The collector sends it minified (collector/assets.py): this file is the
// readable source, and the only one.
(() => {
  "use strict";
  const w = window;
  const d = document;
  const NAME = "anbefal";
  const DAY = 864e5;

  const warn = (message) => {
    try {
      console.warn("Anbefal: " + message);
    } catch (e) {
      // No console: nothing to say it on.
    }
  };

  // Run fn, swallowing what it throws and what its promise rejects with.
  const safe =
    (fn) =>
    (...args) => {
      try {
        const result = fn(...args);
        if (result && result.catch) result.catch(warn);
      } catch (e) {
        warn(e);
      }
    };

  // Make an element; attributes whose names start with "on" add listeners,
  // children are appended as nodes or as text (never parsed as HTML).
  const h = (tag, attrs, ...children) => {
    const el = d.createElement(tag);
    for (const key in attrs) {
      const value = attrs[key];
      if (key.startsWith("on")) el.addEventListener(key.slice(2), safe(value));
      else if (value != null) el.setAttribute(key, value);
    }
    el.append(...children);
    return el;
  };

  // The host element makes no box of its own (display: contents), so nothing
  // the page says about it matters; the panel inside is placed here.
  // The shop's look: --anbefal-* properties, from the touchpoint's settings
  // (set on the panel by look()) or else from the shop's own page (custom
  // properties inherit into the shadow root, past `all: initial`), else ours.
  const CSS = /* css */ `
:host { all: initial !important; display: contents !important }
* { box-sizing: border-box }
.p {
  --a: var(--anbefal-accent,#1d56b8);
  --r: var(--anbefal-radius,12px);
  width: 400px; max-width: calc(100vw - 32px); max-height: calc(100vh - 32px); overflow-y: auto; padding: 16px;
  border: 1px solid #cfd4dc; border-radius: var(--r);
  background: #fff; color: var(--anbefal-text,#1b2230);
  box-shadow: 0 10px 32px #0003;
  font: 15px/1.4 var(--anbefal-font, system-ui, sans-serif);
}
/* Floating in a corner, in the middle as a modal dialog, or in place (the admin's preview). */
div.p { position: fixed; z-index: 2147483000; right: 16px; bottom: 16px }
:host([data-position=bottom-left]) div.p { right: auto; left: 16px }
:host([data-inline]) .p { position: relative; inset: auto; max-width: 100% }
fieldset { min-width: 0; margin: 0; padding: 0; border: 0 }
/* The question, the follow-up question and the thanks; room on the right for the close button. */
/* The focus ring, round whatever has the keyboard's focus and round a radio's number
   (not round the thanks, which takes the focus so that a screen reader says it). */
:focus-visible, .s :focus-visible + span { outline: 3px solid var(--a); outline-offset: 2px }
legend, label.f, .t { display: block; margin: 0 0 12px; padding: 0 36px 0 0; font-size: 16px; font-weight: 600; color: inherit }
label.f, .d legend { padding: 0; margin: 0 0 6px; font-size: 15px }
label.f { margin-top: 14px }
.t { margin: 0; padding: 4px 36px 4px 0; outline: 0 }
/* The scales: a row of equal boxes, one per radio, each radio invisible over its number. */
.s { display: flex; gap: 4px }
.s label { position: relative; flex: 1 }
.s input { position: absolute; inset: 0; width: 100%; height: 100%; margin: 0; opacity: 0; cursor: pointer }
.s span, textarea, .b, .x { border-radius: calc(var(--r) / 2) }
.s span { display: grid; place-items: center; height: 40px; border: 1px solid #8d96a5; background: #f5f6f8; font-weight: 600 }
.s input:hover + span { border-color: var(--a); background: #eef0f3 }
.s input:checked + span { border-color: var(--a); background: var(--a); color: #fff }
p, .a { margin: 6px 0 0; font-size: 13px; color: #545d6e }
.a { display: flex; justify-content: space-between; gap: 12px }
textarea {
  display: block; width: 100%; min-height: 76px; margin: 0; padding: 8px 10px; border: 1px solid #8d96a5;
  color: inherit; resize: vertical;
}
.e { color: #b42318; font-weight: 600 }
.e:empty { display: none }
.r { display: flex; justify-content: flex-end; gap: 8px; margin: 12px 0 0 }
button, textarea { font: inherit }
button { cursor: pointer }
.b { min-height: 40px; padding: 0 16px; border: 1px solid var(--a); background: var(--a); color: #fff; font-weight: 600 }
.b.k { background: #fff; color: var(--a) }
.x {
  position: absolute; top: 8px; right: 8px; width: 32px; height: 32px; padding: 0; border: 0;
  background: none; color: #545d6e; font-size: 24px; line-height: 1;
}
.x:hover { color: inherit }
.n { display: inline-block; margin: 10px 0 0; color: var(--a); font-weight: 600 }
.d fieldset { margin-top: 10px }
@media (max-width: 480px) {
  div.p { inset: auto 8px 8px !important; width: auto; max-width: none }
}
@media (forced-colors: active) { .s input:checked + span { forced-color-adjust: none; background: Highlight; color: HighlightText } }
`;

  // A radio group like the 0-10 scale, for the score and for each driver: a
  // legend (named id), one radio per label the collector made (their values
  // first, first + 1...) in a grid of class `grid`, then what comes after.
  const scale = (id, question, labels, first, onchange, grid, ...after) =>
    h(
      "fieldset",
      { role: "radiogroup", "aria-labelledby": id },
      h("legend", { id }, question),
      h(
        "div",
        { class: grid },
        ...labels.map((label, i) =>
          h(
            "label",
            {},
            h("input", { type: "radio", name: id, value: first + i, "aria-label": label, onchange }),
            h("span", { "aria-hidden": "true" }, first + i)
          )
        )
      ),
      ...after
    );
  // The scale's ends in words, under it (the radios' names say them too).
  const anchors = (low, high) => h("div", { class: "a", "aria-hidden": "true" }, h("span", {}, low), h("span", {}, high));

  // The drivers' step, after the score: each driver a 1-5 radio group like
  // the scale. Every choice is saved at once (save gets all chosen so far), so
  // closing or going on loses nothing; next goes on to the comment. null when
  // the touchpoint has no drivers (the collector sends them and their texts only then).
  const ratingStep = (c, save, next) => {
    const t = c.driver_texts;
    if (!c.drivers) return null;
    const chosen = {};
    return h(
      "div",
      { class: "d", hidden: true },
      h("p", {}, t.drivers_intro),
      ...c.drivers.map((driver, i) =>
        scale("d" + i, driver.question, c.rating_labels, 1, (event) => {
          chosen[driver.key] = +event.target.value;
          save(chosen);
        }, "s")
      ),
      anchors(t.rating_low, t.rating_high),
      h("div", { class: "r" }, h("button", { type: "button", class: "b", onclick: next }, t.next))
    );
  };

  const start = () => {
    const script = d.currentScript;
    const data = script && script.dataset;
    const token = data && data.anbefal;
    if (!token) return warn("no data-anbefal token");

    const prior = w[NAME];
    if (prior && prior.loaded) return warn("loaded twice");

    // The API is where the script came from: https://nps.example/anbefal.js -> https://nps.example/
    const base = new URL(".", script.src).href;
    const preview = "preview" in data;
    // Unset or empty: NaN (so neither a delay nor a rate).
    const number = (value) => (value ? +value : NaN);
    const delay = number(data.delay);
    const sample = number(data.sample);
    const isMap = (x) => x && typeof x == "object" && !Array.isArray(x);
    let properties;
    try {
      properties = JSON.parse(data.properties || "{}");
    } catch (e) {
      // Left as undefined: no JSON object.
    }
    if (!isMap(properties)) {
      warn("data-properties: no JSON object");
      properties = {};
    }

    // The collector refuses an answer whose properties are not up to 20 short
    // strings under simple names: numbers become strings and the rest is left
    // out here, so that a slip in a shop's template never loses answers.
    const clean = (props) => {
      const kept = {};
      let count = 0;
      for (const key in props) {
        const value = props[key];
        if (count < 20 && /^\w[\w.-]{0,39}$/.test(key) && value != null && typeof value != "object") {
          kept[key] = String(value).slice(0, 200);
          count++;
        } else warn("property " + key.slice(0, 40) + " left out");
      }
      return kept;
    };

    // localStorage "anbefal": {token: time until which the survey stays away}.
    // Preview mode neither reads nor writes it.
    // localStorage "anbefal": {token: time until which the survey stays away}.
    // Preview mode neither reads nor writes it.
    // quiet() tells whether the survey is to stay away now; quiet(days) keeps
    // it away for that many days, and forgets the times that have passed.
    const quiet = (days) => {
      if (preview) return;
      try {
        const now = Date.now();
        const kept = JSON.parse(w.localStorage.getItem(NAME) || "{}");
        if (days == null) return kept[token] > now;
        for (const key in kept) if (!(kept[key] > now)) delete kept[key];
        kept[token] = now + days * DAY;
        w.localStorage.setItem(NAME, JSON.stringify(kept));
      } catch (e) {
        // Storage refused (private mode, quota): the survey may come back.
      }
    };

    const sampledOut = (rate) => !preview && Math.random() >= rate;

    // Who the shop says the visitor is, signed by its backend (data-customer,
    // data-customer-sig): a verified customer is asked once in the quiet days.
    const customer = data.customer ? { customer: data.customer, customer_sig: data.customerSig || "" } : {};

    // A refused (429, 503) or unanswered request is tried again, twice unless
    // told otherwise: after its Retry-After (10 s at most) or a second, at once
    // when the page is being left. A retry changes nothing twice: the answer's
    // row is found again by its ref or its visitor, and a PATCH sets the same values.
    let leaving = false;
    const left = new Promise((go) =>
      w.addEventListener("pagehide", () => {
        leaving = true;
        go();
      })
    );
    const pause = (seconds) => Promise.race([left, new Promise((go) => setTimeout(go, Math.min(seconds || 1, 10) * 1000))]);
    // Every request goes to the collector's API, without cookies. A string
    // body goes as text/plain: no CORS preflight for a POST.
    const api = (path, method, body, tries = 2) => {
      const again = (seconds) => pause(seconds).then(() => api(path, method, body, tries - 1));
      return fetch(base + "api/v1/" + path, {
        method,
        body: body && JSON.stringify(body),
        credentials: "omit",
        keepalive: method == "POST" || leaving,
      }).then(
        (r) =>
          r.ok
            ? r.json()
            : tries && (r.status == 503 || r.status == 429)
              ? again(+r.headers.get("Retry-After"))
              : Promise.reject(new Error("the collector answered " + r.status)),
        (e) => (tries ? again() : Promise.reject(e))
      );
    };
    // Store or change an answer (not in preview mode).
    const answers = (method, path, body) =>
      preview ? Promise.resolve({ id: 0, secret: "" }) : api("responses" + path, method, body);

    // Count a showing or a dismissal; sendBeacon outlives the page, fetch keepalive where it is missing.
    const report = (event) => {
      const body = Object.assign({ token, event }, customer);
      preview ||
        (navigator.sendBeacon && navigator.sendBeacon(base + "api/v1/events", JSON.stringify(body))) ||
        api("events", "POST", body, 0).catch(() => {});
    };

    let config = null;
    const loadConfig = () =>
      config ||
      (config = api(
        "widget?" +
          new URLSearchParams(Object.assign({ token, lang: data.lang || "", page_lang: d.documentElement.lang || "" }, customer)),
        "GET",
        null,
        0
      ).then((c) => (c.texts.question ? c : Promise.reject(new Error("unexpected configuration")))));

    let shown = false; // one survey per page view

    const show = (options) => {
      if (shown || quiet()) return;
      options = options || {};
      shown = true;
      if (sample >= 0 && sampledOut(sample)) return;
      return loadConfig().then(
        (c) => {
          if (c.ask === false || (!(sample >= 0) && sampledOut(+c.sample_rate))) return;
          const ref = options.ref == null ? data.ref : String(options.ref);
          // A ref's signature comes from where the ref came from.
          const sig = options.ref == null ? data.refSig : options.ref_sig;
          const props = Object.assign({}, properties, isMap(options.properties) && options.properties);
          // What the answer is stored with, besides its score and page.
          render(c, Object.assign({ token, ref: ref && ref.slice(0, 200), ref_sig: sig, properties: clean(props), locale: c.language }, customer));
        },
        (e) => {
          // The collector is down or refused us: leave the page untouched, and
          // let a later anbefal("show") try again.
          shown = false;
          config = null;
          warn(e.message);
        }
      );
    };

    const render = (c, answer) => {
      const t = c.texts;
      const inline = preview && script.isConnected && script.parentNode != d.head;
      const host = h(NAME + "-survey");
      const root = host.attachShadow({ mode: "open" });
      try {
        // A constructed sheet is not an inline <style>, so a strict CSP lets it through.
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS);
        root.adoptedStyleSheets = [sheet];
      } catch (e) {
        root.append(h("style", {}, CSS));
      }

      // Without query string and fragment, which can carry personal details.
      const page = /^https?:$/.test(location.protocol) ? (location.origin + location.pathname).slice(0, 2000) : null;
      let score = null; // chosen in the page
      let saved = null; // stored by the collector
      let id = null;
      let secret = "";
      let next = null; // the next step the collector offers for the saved score
      let chain = Promise.resolve();

      // Where the focus was before it came into the survey: closing gives it back.
      let back = null;
      host.addEventListener("focusin", (event) => (back = back || event.relatedTarget));
      const close = () => {
        if (id == null) report("dismissed");
        quiet(c.repeat_days);
        const inside = d.activeElement == host;
        host.remove();
        if (inside && back && back.isConnected) back.focus();
      };
      // The answer is stored the moment a score is chosen; later choices (a
      // keyboard user arrowing through the radios) change that same answer.
      const saveScore = () => {
        const s = score;
        if (s == saved) return;
        return (
          id == null
            ? answers("POST", "", Object.assign({ score: s, page }, answer)).then((r) => {
                  id = r.id;
                  secret = r.secret;
                  quiet(c.repeat_days);
                  return r;
                })
            : patch({ score: s })
        ).then((r) => {
          saved = s;
          next = r.next_step;
        });
      };
      // Change the stored answer (once there is one).
      const patch = (fields) => (id == null ? Promise.reject() : answers("PATCH", "/" + id, Object.assign({ secret }, fields)));
      // Tasks run one after another; each resolves to whether it worked.
      const queue = (task) =>
        (chain = chain
          .then(task)
          .then(
            () => "",
            () => t.error
          )
          .then((message) => !(error.textContent = message)));

      const thanks = () => {
        const done = h("p", { class: "t", role: "status", tabindex: -1 }, t.thanks);
        form.replaceWith(done);
        scores.remove();
        // The next step the touchpoint offers this category, through the collector, which counts the click
        // (next.url is a path from the collector's root, and base ends in "/").
        if (next) done.after(h("a", { class: "n", href: base + next.url.slice(1), target: "_blank", rel: "noopener" },
          next.text));
        done.focus();
      };
      const pick = (event) => {
        score = +event.target.value;
        followup.textContent = c.followups[score];
        (step && step.isConnected ? step : form).hidden = false;
        queue(saveScore);
      };
      const send = (event) => {
        event.preventDefault();
        finish(area.value.trim());
      };
      // Save the score and the comment, if any, then thank.
      const finish = (comment) => {
        queue(saveScore);
        (comment ? queue(() => patch({ comment })) : chain).then((ok) => ok && thanks());
      };

      const scores = scale("q", t.question, c.score_labels, 0, pick, "s", anchors(t.not_likely, t.very_likely));
      const followup = h("label", { class: "f", for: "c" });
      const area = h("textarea", { id: "c", rows: 3, maxlength: 2000, "aria-describedby": "h" });
      const error = h("p", { class: "e", role: "alert" });
      const form = h(
        "form",
        { hidden: true, onsubmit: send },
        followup,
        area,
        h("p", { id: "h" }, t.comment_hint),
        h(
          "div",
          { class: "r" },
          h("button", { type: "button", class: "b k", onclick: () => finish() },
            t.skip),
          h("button", { type: "submit", class: "b" }, t.send)
        )
      );
      const position = data.position || c.position;
      const modal = position == "center" && !inline;
      const step = ratingStep(
        c,
        (drivers) => {
          queue(saveScore);
          queue(() => patch({ drivers }));
        },
        () => {
          step.remove();
          form.hidden = false;
          area.focus();
        }
      );
      const panel = h(
        modal ? "dialog" : "div",
        {
          class: "p",
          role: "dialog",
          "aria-labelledby": "q",
          lang: c.language,
          onkeydown: (event) => event.key == "Escape" && (event.preventDefault(), close()),
        },
        h("button", { type: "button", class: "x", "aria-label": t.close, onclick: close }, "\u00d7"),
        scores,
        step || "",
        form,
        error
      );
      look(panel, c.look);
      root.append(panel);
      report("shown");

      // The admin's preview shows it in place; on a shop it floats in a corner
      // or asks in a modal dialog in the middle: the page behind it is inert,
      // so Tab goes round the dialog (and the browser's own controls) only.
      const open = () => {
        d.body.append(host);
        if (modal) panel.showModal();
      };
      if (inline) {
        host.dataset.inline = "";
        script.after(host);
      } else {
        if (position) host.dataset.position = position;
        if (d.body) open();
        else d.addEventListener("DOMContentLoaded", safe(open));
      }
    };

    // The touchpoint's colours, font and radius (only those it sets), as the CSS's --anbefal-* properties.
    const look = (panel, values) => {
      for (const key in values) panel.style.setProperty("--anbefal-" + key, values[key]);
    };

    // When it shows by itself: after each trigger the tag sets, in turn.
    // data-delay: that many seconds after the script ran.
    const afterDelay = (go) => setTimeout(safe(go), delay * 1000 || 0);

    // data-scroll: once that share of the page (in percent) has been in view;
    // checked when the page is there, then at each scroll.
    const afterScroll = (go) => {
      const share = number(data.scroll);
      if (!(share > 0)) return go();
      const check = once(w, "scroll", () => (w.scrollY + w.innerHeight) * 100 >= share * d.documentElement.scrollHeight, go);
      if (d.readyState == "loading") d.addEventListener("DOMContentLoaded", check);
      else check();
    };

    // data-exit: when the pointer leaves the window through its top, on a
    // device with a mouse; never on a touch screen, which has no such moment.
    const onExit = (go) => {
      if (!("exit" in data)) return go();
      if (w.matchMedia("(hover:hover) and (pointer:fine)").matches)
        once(d, "mouseout", (event) => !event.relatedTarget && event.clientY <= 0, go);
    };

    // Listen on target for type until an event passes test, then go (once).
    const once = (target, type, test, go) => {
      const listener = safe((event) => {
        if (test(event)) {
          target.removeEventListener(type, listener);
          go();
        }
      });
      target.addEventListener(type, listener);
      return listener;
    };

    // The one global: replay what the page queued before the script arrived.
    const anbefal = safe((command, options) => {
      if (command == "show") return show(options);
      warn("unknown command " + command);
    });
    anbefal.loaded = true;
    if (prior == undefined || typeof prior == "function") {
      w[NAME] = anbefal;
      for (const args of (prior && prior.q) || []) anbefal(...args);
    } else warn("window.anbefal is taken");

    if (!("manual" in data)) afterDelay(() => afterScroll(() => onExit(show)));
  };

  safe(start)();
})();
