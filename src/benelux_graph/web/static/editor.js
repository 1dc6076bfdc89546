// The query editor: YASGUI (served from the project's own npm install) on this endpoint, with the project's
// prefixes known to the editor and the saved queries of queries/ in a picker that opens each in a new tab.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("editor-config").textContent);
  if (typeof window.Yasgui === "undefined") {
    document.getElementById("editor-missing").hidden = false;
    return;
  }
  const Yasgui = window.Yasgui;
  const prefixLines = Object.keys(config.prefixes).map((p) => p + ": <" + config.prefixes[p] + ">");

  // Typing "bx:" adds "PREFIX bx: <...>" from the project's own prefix map; nothing is fetched from elsewhere.
  Yasgui.Yasqe.forkAutocompleter("prefixes", {
    name: "project-prefixes",
    persistenceId: null,
    get: () => Promise.resolve(prefixLines.slice().sort()),
  }, false);

  Yasgui.defaults.yasqe.value = config.defaultQuery;
  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: new URL(config.endpoint, window.location.href).href, method: "POST" },
    copyEndpointOnNewTab: false,
    persistenceId: null,
    populateFromUrl: true,
    tabName: (config.words || {}).tabName || "Query", // a new tab's name, in the page's language
    endpointCatalogueOptions: { getData: () => [{ endpoint: new URL(config.endpoint, window.location.href).href }] },
    yasqe: { value: config.defaultQuery, autocompleters: ["project-prefixes", "variables"] },
  });
  window.yasgui = yasgui;
  accessible(document.getElementById("yasgui"), config.words || {});
  translatePane(document.getElementById("yasgui"), (config.words || {}).yasr || []);

  const picker = document.getElementById("saved-queries");
  const about = document.getElementById("saved-query-description");
  config.queries.forEach((q) => {
    const option = document.createElement("option");
    option.value = q.name;
    option.textContent = q.title; // its name (English words, as code) is shown with its description once picked
    if (q.titleLang !== config.words.lang) option.lang = q.titleLang; // a title the header lacks is English
    picker.appendChild(option);
  });
  picker.addEventListener("change", () => {
    const q = config.queries.find((item) => item.name === picker.value);
    if (!q) return;
    const w = config.words;
    const params = q.params.length
      ? " " + w.params + ": " + q.params.map((p) => "?" + p.name + " (" + p.type + (p.default ? ", " + w.default + " " + p.default : "") + ")").join(", ") +
        " — " + w.unbound + " " + config.apiBase + "/" + q.name + "?" + q.params[0].name + "=…"
      : "";
    about.textContent = "";
    const text = document.createElement("span"); // the description, in the page's language or else English
    text.textContent = q.description;
    if (q.descriptionLang !== w.lang) text.lang = q.descriptionLang;
    const name = document.createElement("code");
    name.textContent = q.name;
    about.append(text, " (", name, ")", params);
    yasgui.addTab(true, { name: q.title, yasqe: { value: q.sparql } });
    picker.value = "";
  });

  // YASGUI's result pane in the page's language: its words (plugin names, tooltips, the table's pager) are the
  // library's own English, replaced where they show from the site's catalogue (web/messages.json, yasr_*). A text
  // with {0} is a pattern (a count, a variable's name); the results' cells are data and are left alone.
  function translatePane(root, pairs) {
    if (!pairs.length) return;
    const exact = new Map();
    const patterns = [];
    pairs.forEach(([en, text]) => {
      if (!/\{\d\}/.test(en)) { exact.set(en, text); return; }
      const order = [];
      const source = en.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{(\d)\}/g, (_, i) => (order.push(i), "(.+?)"));
      patterns.push({ re: new RegExp("^" + source + "$"), order, text });
    });
    const say = (value) => {
      const trimmed = value.trim();
      if (exact.has(trimmed)) return value.replace(trimmed, exact.get(trimmed));
      for (const p of patterns) {
        const m = trimmed.match(p.re);
        if (m) {
          const out = p.text.replace(/\{(\d)\}/g, (_, i) => { const part = m[p.order.indexOf(i) + 1]; return exact.get(part) || part; });
          return value.replace(trimmed, out);
        }
      }
      return null;
    };
    const ATTRS = ["title", "placeholder", "aria-label"];
    const apply = () => {
      root.querySelectorAll(".yasr").forEach((pane) => {
        const walk = document.createTreeWalker(pane, NodeFilter.SHOW_TEXT);
        for (let n = walk.nextNode(); n; n = walk.nextNode()) {
          if (!n.textContent.trim() || n.parentElement.closest("td, th, .CodeMirror")) continue;
          const text = say(n.textContent);
          if (text !== null && text !== n.textContent) n.textContent = text;
        }
        pane.querySelectorAll("[title], [placeholder], [aria-label]").forEach((el) => {
          if (el.closest("td, .CodeMirror")) return;
          ATTRS.forEach((name) => {
            const value = el.getAttribute(name);
            const text = value && say(value);
            if (text && text !== value) el.setAttribute(name, text);
          });
        });
      });
    };
    apply();
    new MutationObserver(apply).observe(root, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ATTRS });
  }

  // YASGUI's markup, made accessible (axe-core): names for the editor's text area and the endpoint field, the
  // "+" button moved out of the tab list (a tablist holds tabs only), and CodeMirror's scrolling area reachable by
  // keyboard. New tabs bring new elements: an observer treats them too.
  function accessible(root, words) {
    const fix = () => {
      root.querySelectorAll(".CodeMirror textarea:not([aria-label])").forEach((el) => el.setAttribute("aria-label", words.query || "SPARQL query"));
      root.querySelectorAll("input.autocomplete:not([aria-label])").forEach((el) => el.setAttribute("aria-label", words.endpoint || "SPARQL endpoint"));
      root.querySelectorAll(".tabsList input:not([aria-label])").forEach((el) => el.setAttribute("aria-label", words.tab || "Tab name"));
      root.querySelectorAll(".CodeMirror-scroll:not([tabindex='0'])").forEach((el) => el.setAttribute("tabindex", "0"));
      const add = root.querySelector(".tabsList .addTab");
      const list = root.querySelector(".tabsList");
      if (add && list) {
        const bar = document.createElement("div");
        bar.className = "tab-bar";
        list.parentNode.insertBefore(bar, list);
        bar.append(list, add);  // YASGUI keeps inserting tabs before its (now empty) wrapper in the list
      }
    };
    fix();
    new MutationObserver(fix).observe(root, { childList: true, subtree: true });
  }
})();
