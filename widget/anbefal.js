/*! Anbefal NPS widget | MIT */
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
        if (result && result.catch) result.catch((e) => warn(e));
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
      else if (value != null && value !== false) el.setAttribute(key, value === true ? "" : value);
    }
    el.append(...children);
    return el;
  };

  // The host element makes no box of its own (display: contents), so nothing
  // the page says about it matters; the panel inside is placed here.
  // The shop's look: --anbefal-* properties, from the touchpoint's settings
  // (set on the panel by look()) or else from the shop's own page (custom
  // properties inherit into the shadow root, past `all: initial`), else ours.
  const CSS = `
:host{all:initial!important;display:contents!important}
*{box-sizing:border-box}
[hidden]{display:none!important}
.p{--a:var(--anbefal-accent,#1d56b8);--t:var(--anbefal-text,#1b2230);
--r:var(--anbefal-radius,12px);max-height:calc(100vh - 32px);overflow-y:auto;padding:16px;border:1px solid #cfd4dc;border-radius:var(--r);
background:#fff;color:var(--t);text-align:left;box-shadow:0 10px 32px rgba(16,24,40,.18);
font:15px/1.4 var(--anbefal-font,system-ui,sans-serif)}
div.p{position:fixed;z-index:2147483000;right:16px;bottom:16px;width:400px;max-width:calc(100vw - 32px);margin:0}
:host([data-inline]) .p{position:relative;right:auto;left:auto;bottom:auto;max-width:100%}
dialog.p{width:400px}
::backdrop{background:rgba(16,24,40,.5)}
fieldset{min-width:0;margin:0;padding:0;border:0}
legend,label.f{display:block;margin:0 0 12px;padding:0 36px 0 0;font-size:16px;font-weight:600;color:inherit}
label.f{padding:0;margin:14px 0 6px;font-size:15px}
.s{display:grid;grid-template-columns:repeat(11,minmax(0,1fr));gap:4px;margin:0;padding:0}
.s label{position:relative;display:block;margin:0}
.s input{position:absolute;top:0;left:0;width:100%;height:100%;margin:0;opacity:0;cursor:pointer}
.s span,textarea,.b,.x{border-radius:calc(var(--r)/2)}
.s span{display:flex;align-items:center;justify-content:center;height:40px;border:1px solid #aab2bf;
background:#f5f6f8;font-size:15px;font-weight:600}
.s input:hover+span{border-color:var(--a);background:#eef0f3}
.s input:checked+span{border-color:var(--a);background:var(--a);color:#fff}
.s input:focus-visible+span,button:focus-visible,textarea:focus-visible{outline:3px solid var(--a);outline-offset:2px}
.a{display:flex;justify-content:space-between;gap:12px;margin:6px 0 0;font-size:13px;color:#545d6e}
.a span:last-child{text-align:right}
textarea{display:block;width:100%;min-height:76px;margin:0;padding:8px 10px;border:1px solid #8d96a5;
background:#fff;color:inherit;font:inherit;resize:vertical}
p{margin:6px 0 0;font-size:13px;color:#545d6e}
p.e{color:#b42318;font-weight:600}
p.e:empty{display:none}
.r{display:flex;justify-content:flex-end;gap:8px;margin:12px 0 0}
button{font:inherit;cursor:pointer}
.b{min-height:40px;padding:0 16px;border:1px solid var(--a);background:var(--a);color:#fff;font-weight:600}
.b.k{background:#fff;color:var(--a)}
.x{position:absolute;top:8px;right:8px;width:32px;height:32px;padding:0;border:0;background:none;
color:#545d6e;font-size:24px;line-height:1}
.x:hover{background:#eef0f3;color:inherit}
.n{display:inline-block;margin:10px 0 0;color:var(--a);font-weight:600}
.v{grid-template-columns:repeat(5,minmax(0,1fr))}
.d fieldset{margin-top:10px}
.d legend{margin:0 0 6px;padding:0;font-size:15px}
.t{margin:0;padding:4px 36px 4px 0;font-size:16px;font-weight:600;color:inherit;outline:0}
@media(min-width:481px){:host([data-position=bottom-left]) div.p{right:auto;left:16px}}
@media(max-width:480px){div.p{right:8px;left:8px;bottom:8px;width:auto;max-width:none}.p{padding:12px}
.s{gap:3px}.s span{height:38px;font-size:14px}}
@media(forced-colors:active){.s input:checked+span{forced-color-adjust:none;background:Highlight;color:HighlightText}}
`;

  // The drivers' step, after the score: each driver a 1-5 radio group like
  // the scale. Every choice is saved at once (save gets all chosen so far), so
  // closing or going on loses nothing; next goes on to the comment. null when
  // the touchpoint has no drivers.
  const ratingStep = (c, save, next) => {
    const t = c.driver_texts;
    if (!t || !c.drivers || !c.drivers.length) return null;
    const chosen = {};
    return h(
      "div",
      { class: "d", hidden: true },
      h("p", {}, t.drivers_intro),
      ...c.drivers.map((driver, i) =>
        h(
          "fieldset",
          { role: "radiogroup", "aria-labelledby": "d" + i },
          h("legend", { id: "d" + i }, driver.question),
          h(
            "div",
            { class: "s v" },
            ...[1, 2, 3, 4, 5].map((n) =>
              h(
                "label",
                {},
                h("input", {
                  type: "radio",
                  name: "d" + i,
                  value: n,
                  "aria-label":
                    t.rating_label.replace("{n}", n) + (n === 1 ? ", " + t.rating_low : n === 5 ? ", " + t.rating_high : ""),
                  onchange: () => {
                    chosen[driver.key] = n;
                    save(Object.assign({}, chosen));
                  },
                }),
                h("span", { "aria-hidden": "true" }, String(n))
              )
            )
          )
        )
      ),
      h("div", { class: "a", "aria-hidden": "true" }, h("span", {}, t.rating_low), h("span", {}, t.rating_high)),
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

    // The API is where the script came from: https://nps.example/anbefal.js -> https://nps.example
    const base = script.src.split(/[?#]/)[0].replace(/\/[^/]*$/, "");
    const preview = "preview" in data;
    const number = (value) => (value == null || value === "" ? NaN : +value);
    const delay = number(data.delay);
    const sample = number(data.sample);
    const isMap = (x) => x && typeof x == "object" && !Array.isArray(x);
    let properties = {};
    if (data.properties) {
      try {
        properties = JSON.parse(data.properties);
      } catch (e) {
        properties = null;
      }
      if (!isMap(properties)) {
        warn("data-properties is no JSON object");
        properties = {};
      }
    }

    // The collector refuses an answer whose properties are not up to 20 short
    // strings under simple names: numbers become strings and the rest is left
    // out here, so that a slip in a shop's template never loses answers.
    const clean = (props) => {
      const kept = {};
      let count = 0;
      for (const key in props) {
        const value = props[key];
        if (count < 20 && /^[\w][\w.-]{0,39}$/.test(key) && value != null && typeof value !== "object") {
          kept[key] = String(value).slice(0, 200);
          count++;
        } else warn("property " + key.slice(0, 40) + " left out");
      }
      return kept;
    };

    // localStorage "anbefal": {token: time until which the survey stays away}.
    // Preview mode neither reads nor writes it.
    const stored = () => JSON.parse(w.localStorage.getItem(NAME) || "{}");
    const quietUntil = () => {
      try {
        return (!preview && stored()[token]) || 0;
      } catch (e) {
        return 0;
      }
    };
    const keepQuiet = (days) => {
      if (preview) return;
      try {
        const now = Date.now();
        const kept = stored();
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
    // Count a showing or a dismissal; sendBeacon outlives the page, fetch keepalive where it is missing.
    const report = (event) => {
      if (preview) return;
      const body = JSON.stringify(Object.assign({ token, event }, customer));
      const url = base + "/api/v1/events";
      if (!(navigator.sendBeacon && navigator.sendBeacon(url, body)))
        fetch(url, { method: "POST", body, credentials: "omit", keepalive: true }).catch(() => {});
    };

    let config = null;
    const loadConfig = () =>
      config ||
      (config = fetch(
        base +
          "/api/v1/widget?" +
          new URLSearchParams(
            Object.assign({ token, lang: data.lang || "", page_lang: d.documentElement.lang || "" }, customer)
          ),
        { credentials: "omit" }
      )
        .then((r) => (r.ok ? r.json() : Promise.reject(new Error("the collector answered " + r.status))))
        .then((c) => (c && c.texts && c.texts.question ? c : Promise.reject(new Error("unexpected configuration")))));

    // A refused (429, 503) or unanswered request is tried twice more: after
    // its Retry-After (10 s at most) or a second, at once when the page is
    // being left. A retry changes nothing twice: the answer's row is found
    // again by its ref or its visitor, and a PATCH sets the same values.
    let leaving = false;
    const waiting = [];
    w.addEventListener("pagehide", () => {
      leaving = true;
      waiting.splice(0).forEach((go) => go());
    });
    const pause = (seconds) =>
      new Promise((go) => {
        if (leaving) return go();
        waiting.push(go);
        setTimeout(go, Math.min(seconds || 1, 10) * 1000);
      });
    const api = (method, path, body, tries = 2) =>
      preview
        ? Promise.resolve({ id: 0, secret: "" })
        : fetch(base + "/api/v1/responses" + path, {
            method,
            body: JSON.stringify(body), // a string body goes as text/plain: no CORS preflight for the POST
            credentials: "omit",
            keepalive: method === "POST" || leaving,
          }).then(
            (r) =>
              r.ok
                ? r.json()
                : tries && (r.status === 503 || r.status === 429)
                  ? pause(+r.headers.get("Retry-After")).then(() => api(method, path, body, tries - 1))
                  : Promise.reject(new Error("the collector answered " + r.status)),
            (e) => (tries ? pause(1).then(() => api(method, path, body, tries - 1)) : Promise.reject(e))
          );

    let shown = false; // one survey per page view

    const show = (options) => {
      if (shown || quietUntil() > Date.now()) return;
      options = options || {};
      shown = true;
      if (sample >= 0 && sampledOut(sample)) return;
      return loadConfig().then(
        (c) => {
          if (c.ask === false || (!(sample >= 0) && sampledOut(+c.sample_rate))) return;
          const ref = options.ref == null ? data.ref : String(options.ref);
          // A ref's signature comes from where the ref came from.
          const sig = options.ref == null ? data.refSig : options.ref_sig;
          const props = Object.assign({}, properties, isMap(options.properties) ? options.properties : {});
          render(c, ref && ref.slice(0, 200), clean(props), Object.assign({ ref_sig: sig }, customer));
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

    const render = (c, ref, props, signed) => {
      const t = c.texts;
      const inline = preview && script.isConnected && script.parentNode !== d.head;
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
        if (id === null) report("dismissed");
        keepQuiet(c.repeat_days);
        const inside = d.activeElement === host;
        host.remove();
        if (inside && back && back.isConnected) back.focus();
      };
      // The answer is stored the moment a score is chosen; later choices (a
      // keyboard user arrowing through the radios) change that same answer.
      const saveScore = () => {
        const s = score;
        if (s === saved) return;
        return (
          id === null
            ? api("POST", "", Object.assign({ token, score: s, ref, properties: props, locale: c.language, page },
                signed)).then((r) => {
                  id = r.id;
                  secret = r.secret;
                  keepQuiet(c.repeat_days);
                  return r;
                })
            : api("PATCH", "/" + id, { secret, score: s })
        ).then((r) => {
          saved = s;
          next = r.next_step;
        });
      };
      // Tasks run one after another; each resolves to whether it worked.
      const queue = (task) =>
        (chain = chain.then(task).then(
          () => {
            error.textContent = "";
            return true;
          },
          () => {
            error.textContent = t.error;
            return false;
          }
        ));

      const thanks = () => {
        const done = h("p", { class: "t", role: "status", tabindex: -1 }, t.thanks);
        form.replaceWith(done);
        scale.remove();
        // The next step the touchpoint offers this category, through the collector, which counts the click.
        if (next) done.after(h("a", { class: "n", href: base + next.url, target: "_blank", rel: "noopener" },
          next.text));
        done.focus();
      };
      const pick = (event) => {
        score = +event.target.value;
        followup.textContent = t.followup[score > 8 ? "promoter" : score > 6 ? "passive" : "detractor"];
        (step && step.isConnected ? step : form).hidden = false;
        queue(saveScore);
      };
      const send = (event) => {
        event.preventDefault();
        const comment = area.value.trim();
        queue(saveScore);
        const saveComment = () => (id === null ? Promise.reject() : api("PATCH", "/" + id, { secret, comment }));
        (comment ? queue(saveComment) : chain).then((ok) => ok && thanks());
      };

      const scale = h(
        "fieldset",
        { role: "radiogroup", "aria-labelledby": "q" },
        h("legend", { id: "q" }, t.question),
        h(
          "div",
          { class: "s" },
          ...Array.from({ length: 11 }, (_, n) =>
            h(
              "label",
              {},
              h("input", {
                type: "radio",
                name: "score",
                value: n,
                "aria-label":
                  t.score_label.replace("{n}", n) + (n ? (n === 10 ? ", " + t.very_likely : "") : ", " + t.not_likely),
                onchange: pick,
              }),
              h("span", { "aria-hidden": "true" }, String(n))
            )
          )
        ),
        h("div", { class: "a", "aria-hidden": "true" }, h("span", {}, t.not_likely), h("span", {}, t.very_likely))
      );
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
          h("button", { type: "button", class: "b k", onclick: () => queue(saveScore).then((ok) => ok && thanks()) },
            t.skip),
          h("button", { type: "submit", class: "b" }, t.send)
        )
      );
      const position = data.position || c.position;
      const modal = position === "center" && !inline;
      const step = ratingStep(
        c,
        (drivers) => {
          queue(saveScore);
          queue(() => (id === null ? Promise.reject() : api("PATCH", "/" + id, { secret, drivers })));
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
          onkeydown: (event) => event.key === "Escape" && (event.preventDefault(), close()),
        },
        h("button", { type: "button", class: "x", "aria-label": t.close, onclick: close }, "\u00d7"),
        scale,
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
        host.setAttribute("data-inline", "");
        script.after(host);
      } else {
        if (position) host.setAttribute("data-position", position);
        if (d.body) open();
        else d.addEventListener("DOMContentLoaded", safe(open));
      }
    };

    // The touchpoint's colours, font and radius, as the CSS's --anbefal-* properties.
    const look = (panel, values) => {
      for (const key in values) if (values[key] != null) panel.style.setProperty("--anbefal-" + key, values[key]);
    };

    // When it shows by itself: after each trigger the tag sets, in turn.
    // data-delay: that many seconds after the script ran.
    const afterDelay = (go) => (delay > 0 ? setTimeout(safe(go), delay * 1000) : go());

    // data-scroll: once that share of the page (in percent) has been in view;
    // checked when the page is there, then at each scroll.
    const afterScroll = (go) => {
      const share = number(data.scroll);
      if (!(share > 0)) return go();
      const check = once(w, "scroll", () => (w.scrollY + w.innerHeight) * 100 >= share * d.documentElement.scrollHeight, go);
      if (d.readyState === "loading") d.addEventListener("DOMContentLoaded", check);
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
      if (command === "show") return show(options);
      warn("unknown command " + command);
    });
    anbefal.loaded = true;
    if (prior === undefined || typeof prior === "function") {
      w[NAME] = anbefal;
      for (const args of (prior && prior.q) || []) anbefal(...args);
    } else warn("window.anbefal is taken");

    if (!("manual" in data)) afterDelay(() => afterScroll(() => onExit(show)));
  };

  safe(start)();
})();
