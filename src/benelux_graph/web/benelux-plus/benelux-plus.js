/*
 * The Benelux+ page: the Benelux+ preset of the graph API drawn with Cytoscape.js, at the positions the API
 * gives each node (a force layout, fcose if loaded, only for an API that gives none).
 *
 * Embedding: put <div data-benelux-plus data-api="https://graph.example.org"></div> in a page and load
 * cytoscape.min.js and this file. The page's own URL may say
 * ?api=<base URL> (overrides data-api, but only for an origin that data-api or data-api-origins names: a link
 * cannot make the page show another server's data under its host's look) and ?lang=en|fr|nl|de. Each widget is
 * reachable as element.beneluxPlus.
 *
 * Data from the API is only ever written with textContent, setAttribute or new Option(): never as HTML.
 * Filters (type, theme, year) are answered by the API itself (the same rules as GET /api/graph); the page only
 * shows or hides the elements it drew first, so the layout stays put.
 */
(function () {
  "use strict";

  var LANGS = ["en", "fr", "nl", "de"];
  var LANG_NAMES = { en: "English", fr: "Français", nl: "Nederlands", de: "Deutsch" };

  var UI = {
    en: {
      title: "Benelux+ and beyond", graph: "Network of the Benelux Union and its partners",
      language: "Language", search: "Search", searchHint: "Search a name…", theme: "Theme",
      allThemes: "All themes", year: "Year", allYears: "All years", types: "Types", hubs: "Most connected",
      path: "Path finder", from: "From", to: "To", find: "Find path", clear: "Clear", exportPng: "Export PNG",
      table: "Table view", close: "Close", sources: "Sources", relationships: "Relationships",
      details: "More details", identifiers: "Identifiers", themes: "Themes", period: "Period", status: "Status",
      basedOn: "Based on", since: "since", name: "Name", type: "Type", relationship: "Relationship",
      nodesCaption: "Nodes shown", edgesCaption: "Relationships shown", loading: "Loading…",
      shown: "{n} nodes and {m} relationships shown", noPath: "No path between these two.",
      apiRefused: "This page does not show data from {origin}, only from {allowed}.",
      loadError: "Could not load the graph: ", choose: "Choose…", steps: "Path", noSources: "No source passage.",
      more: "Filters, path finder, export", nodes: "All nodes", lines: "Lines", lineCoop: "cooperation",
      lineMember: "membership or presidency", lineOther: "other relationship (the arrow gives its direction)",
      fallback: "Italic: shown in English (no label in this language yet)", notShown: "Not in this view: ",
      category: { country: "Country", region: "Region", organisation: "Organisation", forum: "Forum or body",
                  instrument: "Legal instrument", programme: "Work programme", initiative: "Initiative",
                  place: "Place", person: "Person", theme: "Theme", other: "Other" }
    },
    fr: {
      title: "Benelux+ et au-delà", graph: "Réseau de l'Union Benelux et de ses partenaires",
      language: "Langue", search: "Rechercher", searchHint: "Rechercher un nom…", theme: "Thème",
      allThemes: "Tous les thèmes", year: "Année", allYears: "Toutes les années", types: "Types",
      hubs: "Les plus connectés", path: "Chercher un chemin", from: "De", to: "À", find: "Trouver le chemin",
      clear: "Effacer", exportPng: "Exporter en PNG", table: "Vue en tableau", close: "Fermer",
      sources: "Sources", relationships: "Relations", details: "Plus de détails", identifiers: "Identifiants",
      themes: "Thèmes", period: "Période", status: "Statut", basedOn: "Fondé sur", since: "depuis", name: "Nom",
      type: "Type", relationship: "Relation", nodesCaption: "Nœuds affichés", edgesCaption: "Relations affichées",
      loading: "Chargement…", shown: "{n} nœuds et {m} relations affichés",
      noPath: "Aucun chemin entre ces deux.",
      apiRefused: "Cette page n'affiche pas les données de {origin}, seulement celles de {allowed}.",
      loadError: "Impossible de charger le graphe : ",
      choose: "Choisir…", steps: "Chemin", noSources: "Aucun passage source.",
      more: "Filtres, chemin, export", nodes: "Tous les nœuds", lines: "Liens", lineCoop: "coopération",
      lineMember: "adhésion ou présidence", lineOther: "autre relation (la flèche en donne le sens)",
      fallback: "En italique : affiché en anglais (pas encore de libellé dans cette langue)",
      notShown: "Absent de cette vue : ",
      category: { country: "Pays", region: "Région", organisation: "Organisation", forum: "Forum ou organe",
                  instrument: "Instrument juridique", programme: "Programme de travail", initiative: "Initiative",
                  place: "Lieu", person: "Personne", theme: "Thème", other: "Autre" }
    },
    nl: {
      title: "Benelux+ en verder", graph: "Netwerk van de Benelux Unie en haar partners",
      language: "Taal", search: "Zoeken", searchHint: "Zoek een naam…", theme: "Thema",
      allThemes: "Alle thema's", year: "Jaar", allYears: "Alle jaren", types: "Typen", hubs: "Meest verbonden",
      path: "Pad zoeken", from: "Van", to: "Naar", find: "Pad zoeken", clear: "Wissen",
      exportPng: "Exporteren als PNG", table: "Tabelweergave", close: "Sluiten", sources: "Bronnen",
      relationships: "Relaties", details: "Meer details", identifiers: "Identificatoren", themes: "Thema's",
      period: "Periode", status: "Status", basedOn: "Gebaseerd op", since: "sinds", name: "Naam", type: "Type",
      relationship: "Relatie", nodesCaption: "Getoonde knooppunten", edgesCaption: "Getoonde relaties",
      loading: "Laden…", shown: "{n} knooppunten en {m} relaties getoond",
      noPath: "Geen pad tussen deze twee.",
      apiRefused: "Deze pagina toont geen gegevens van {origin}, alleen van {allowed}.",
      loadError: "Kon de graaf niet laden: ", choose: "Kiezen…",
      steps: "Pad", noSources: "Geen bronpassage.",
      more: "Filters, pad zoeken, export", nodes: "Alle knooppunten", lines: "Lijnen", lineCoop: "samenwerking",
      lineMember: "lidmaatschap of voorzitterschap", lineOther: "andere relatie (de pijl geeft de richting)",
      fallback: "Cursief: in het Engels getoond (nog geen label in deze taal)", notShown: "Niet in deze weergave: ",
      category: { country: "Land", region: "Regio", organisation: "Organisatie", forum: "Forum of orgaan",
                  instrument: "Juridisch instrument", programme: "Werkprogramma", initiative: "Initiatief",
                  place: "Plaats", person: "Persoon", theme: "Thema", other: "Overig" }
    },
    de: {
      title: "Benelux+ und darüber hinaus", graph: "Netzwerk der Benelux-Union und ihrer Partner",
      language: "Sprache", search: "Suchen", searchHint: "Namen suchen…", theme: "Thema",
      allThemes: "Alle Themen", year: "Jahr", allYears: "Alle Jahre", types: "Typen",
      hubs: "Am stärksten vernetzt", path: "Pfad suchen", from: "Von", to: "Nach", find: "Pfad suchen",
      clear: "Löschen", exportPng: "Als PNG exportieren", table: "Tabellenansicht", close: "Schließen",
      sources: "Quellen", relationships: "Beziehungen", details: "Weitere Details", identifiers: "Kennungen",
      themes: "Themen", period: "Zeitraum", status: "Stand", basedOn: "Beruht auf", since: "seit", name: "Name",
      type: "Typ", relationship: "Beziehung", nodesCaption: "Angezeigte Knoten",
      edgesCaption: "Angezeigte Beziehungen", loading: "Laden…", shown: "{n} Knoten und {m} Beziehungen angezeigt",
      noPath: "Kein Pfad zwischen diesen beiden.",
      apiRefused: "Diese Seite zeigt keine Daten von {origin} an, nur von {allowed}.", loadError: "Der Graph konnte nicht geladen werden: ",
      choose: "Auswählen…", steps: "Pfad", noSources: "Keine Quellenpassage.",
      more: "Filter, Pfadsuche, Export", nodes: "Alle Knoten", lines: "Linien", lineCoop: "Zusammenarbeit",
      lineMember: "Mitgliedschaft oder Vorsitz", lineOther: "andere Beziehung (der Pfeil zeigt die Richtung)",
      fallback: "Kursiv: auf Englisch angezeigt (noch keine Bezeichnung in dieser Sprache)",
      notShown: "Nicht in dieser Ansicht: ",
      category: { country: "Land", region: "Region", organisation: "Organisation", forum: "Forum oder Gremium",
                  instrument: "Rechtsinstrument", programme: "Arbeitsprogramm", initiative: "Initiative",
                  place: "Ort", person: "Person", theme: "Thema", other: "Sonstiges" }
    }
  };

  var ID_BASE = "https://w3id.org/benelux-graph/id/";
  var LABEL_PX = 12; // on-screen size of a node's label at the initial fit
  var HUB_PX = 15; // the same for the hubs (most connections)
  var EDGE_PX = 11; // on-screen size of an edge's label
  var PADDING = 12; // around the drawing at a fit, in pixels
  var MIN_ZOOM = 0.2;
  var MAX_ZOOM = 3;
  var FONT = "Liberation Sans, Arial, sans-serif"; // the labels' (measured by the page as Cytoscape draws them)

  /* One colour and shape per legend category (colour-blind-safe palette, shapes as a second cue). */
  var STYLE = {
    organisation: { color: "#0b5cad", shape: "round-rectangle" },
    country: { color: "#e69f00", shape: "ellipse" },
    region: { color: "#009e73", shape: "ellipse" },
    forum: { color: "#cc79a7", shape: "diamond" },
    instrument: { color: "#8c8c8c", shape: "rectangle" },
    programme: { color: "#56b4e9", shape: "round-tag" },
    initiative: { color: "#d55e00", shape: "hexagon" },
    place: { color: "#a6761d", shape: "triangle" },
    person: { color: "#7f3c8d", shape: "ellipse" },
    theme: { color: "#f0e442", shape: "round-rectangle" },
    other: { color: "#bbbbbb", shape: "ellipse" }
  };

  /* ---------- small DOM helpers (text only) ---------- */

  function el(tag, attrs) {
    var node = document.createElement(tag);
    var key;
    for (key in attrs || {}) {
      if (!Object.prototype.hasOwnProperty.call(attrs, key) || attrs[key] === null || attrs[key] === undefined) {
        continue;
      }
      if (key === "text") { node.textContent = attrs[key]; }
      else if (key === "hidden") { node.hidden = !!attrs[key]; }
      else { node.setAttribute(key, attrs[key]); }
    }
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined) { continue; }
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function nextTask() { return new Promise(function (resolve) { setTimeout(resolve, 0); }); }

  /* After the next frame: the page's own style and layout are done in that frame, not in Cytoscape's start (which
     measures its container and would force them in the same long task). */
  function afterFrame() {
    return new Promise(function (resolve) {
      if (document.hidden) { setTimeout(resolve, 0); return; }
      requestAnimationFrame(function () { setTimeout(resolve, 0); });
    });
  }

  function yearsText(begin, end, ui) {
    if (begin === null && end === null) { return null; }
    if (end === null) { return ui.since + " " + begin; }
    if (begin === null || begin === end) { return String(end); }
    return begin + "–" + end;
  }

  /* An http(s) URL (relative to this page) as a base without its trailing slashes, or null. */
  function httpBase(text) {
    try {
      var url = new URL(text || ".", window.location.href);
      if (url.protocol !== "http:" && url.protocol !== "https:") { return null; }
      return { base: (text ? url.href : url.origin).replace(/\/+$/, ""), origin: url.origin };
    } catch (e) { return null; }
  }

  /* The API's base URL: data-api, else this page's origin; ?api= overrides it only with a base whose origin is
     allowed (data-api's own, or one of the space-separated origins of data-api-origins; on our own page the server
     writes there the origins BENELUX_API_ORIGINS allows, which the page's Content-Security-Policy allows too).
     Another origin is refused (`refused` names it). A non-http(s) ?api= is ignored. */
  function apiBase(root) {
    var own = httpBase(root.getAttribute("data-api")) || httpBase("");
    var asked = httpBase(new URLSearchParams(window.location.search).get("api"));
    if (!asked) { return { base: own.base, allowed: [own.origin] }; }
    var allowed = [own.origin].concat((root.getAttribute("data-api-origins") || "").split(/\s+/).filter(Boolean)
      .map(function (o) { var b = httpBase(o); return b ? b.origin : null; }).filter(Boolean));
    if (allowed.indexOf(asked.origin) < 0) { return { base: own.base, refused: asked.origin, allowed: allowed }; }
    return { base: asked.base, allowed: allowed };
  }

  /* ?lang=, else the browser's first language the page has (as the entity pages use Accept-Language), else English. */
  function pickLanguage(asked) {
    var wanted = [asked].concat(navigator.languages || [navigator.language]);
    for (var i = 0; i < wanted.length; i++) {
      var lang = String(wanted[i] || "").slice(0, 2).toLowerCase();
      if (LANGS.indexOf(lang) >= 0) { return lang; }
    }
    return "en";
  }

  /* A small seeded generator (mulberry32): the layout draws from it, so every load draws the same graph. */
  function seeded(seed) {
    return function () {
      seed = (seed + 0x6D2B79F5) | 0;
      var t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function BeneluxPlus(root) {
    this.root = root;
    var api = apiBase(root);
    this.api = api.base;
    this.apiRefused = api.refused ? { origin: api.refused, allowed: api.allowed.join(", ") } : null;
    var query = new URLSearchParams(window.location.search);
    // a page that chose the language (the site's own, with its header's language choice) says it in data-lang
    this.lang = pickLanguage(root.getAttribute("data-lang") || query.get("lang"));
    this.pageChoosesLanguage = root.getAttribute("data-language-choice") === "page";
    this.focusAsked = query.get("focus"); // an entity page's "Show in the network visualiser" link
    this.seq = 0;
    this.nodeData = {};
    this.current = null; // the node or edge the panel shows
    root.beneluxPlus = this;
  }

  BeneluxPlus.prototype.t = function (key) { return UI[this.lang][key]; };

  BeneluxPlus.prototype.fetchJSON = function (path, params) {
    var url = new URL(this.api + path);
    Object.keys(params || {}).forEach(function (key) {
      var value = params[key];
      if (value !== null && value !== undefined && value !== "") { url.searchParams.set(key, value); }
    });
    return fetch(url.href, { headers: { Accept: "application/json" } }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (body) {
        if (!response.ok) {
          var message = body && body.error ? body.error.message : response.status + " " + response.statusText;
          var error = new Error(message);
          error.status = response.status;
          error.type = body && body.error ? body.error.type : null;
          throw error;
        }
        return body;
      });
    });
  };

  /* ---------- building the page ---------- */

  BeneluxPlus.prototype.build = function () {
    var self = this;
    var root = this.root;
    root.classList.add("bp");
    // the header and title the server painted are kept where they are: a new title (or one moved) would be
    // painted again, later, and count as the page's largest paint
    var header = root.querySelector(":scope > header.bp-header");
    var painted = header && header.querySelector(":scope > h1");
    if (!painted) { header = null; }
    Array.prototype.slice.call(root.childNodes).forEach(function (child) {
      if (child !== header) { root.removeChild(child); }
    });
    if (header) { Array.prototype.slice.call(header.childNodes).forEach(function (child) {
      if (child !== painted) { header.removeChild(child); }
    }); }
    var id = "bp" + Math.random().toString(36).slice(2, 8);
    this.ids = { search: id + "-search", lang: id + "-lang", theme: id + "-theme", year: id + "-year",
                 from: id + "-from", to: id + "-to", table: id + "-table", list: id + "-names" };

    this.titleEl = painted || el("h1");
    this.langLabel = el("label", { "for": this.ids.lang });
    this.langSelect = el("select", { id: this.ids.lang });
    LANGS.forEach(function (lang) {
      var option = new Option(LANG_NAMES[lang], lang);
      option.lang = lang;
      self.langSelect.appendChild(option);
    });
    this.langSelect.value = this.lang;
    this.searchLabel = el("label", { "for": this.ids.search });
    this.searchInput = el("input", { type: "search", id: this.ids.search, list: this.ids.list,
                                     autocomplete: "off" });
    this.names = el("datalist", { id: this.ids.list });
    if (!header) { header = root.appendChild(el("header", { "class": "bp-header" }, this.titleEl)); }
    header.appendChild(
      el("div", { "class": "bp-controls" },
        el("div", { "class": "bp-field" }, this.searchLabel, this.searchInput, this.names),
        // one language choice on a page: the site's header has it, so the widget's own is left out there
        el("div", { "class": "bp-field", hidden: this.pageChoosesLanguage ? true : null },
          this.langLabel, this.langSelect)));

    this.themeLabel = el("label", { "for": this.ids.theme });
    this.themeSelect = el("select", { id: this.ids.theme });
    this.yearLabel = el("label", { "for": this.ids.year });
    this.yearRange = el("input", { type: "range", id: this.ids.year, min: "2021", max: "2028", step: "1",
                                   value: "2025", disabled: "disabled" });
    this.yearValue = el("output", { "class": "bp-year-value", "for": this.ids.year });
    this.allYears = el("input", { type: "checkbox", checked: "checked" });
    this.allYearsLabel = el("span");
    this.fromLabel = el("label", { "for": this.ids.from });
    this.fromSelect = el("select", { id: this.ids.from });
    this.toLabel = el("label", { "for": this.ids.to });
    this.toSelect = el("select", { id: this.ids.to });
    this.findButton = el("button", { type: "button", "class": "bp-primary" });
    this.clearButton = el("button", { type: "button" });
    this.pngButton = el("button", { type: "button" });
    this.tableButton = el("button", { type: "button", "aria-expanded": "false", "aria-controls": this.ids.table });
    this.pathHeading = el("span", { "class": "bp-visually-hidden" });
    // folded away on a phone, so that the graph is on the first screen; open (before first paint) elsewhere
    this.moreSummary = el("summary");
    this.more = el("details", { "class": "bp-more" }, this.moreSummary);
    this.more.open = !window.matchMedia("(max-width: 700px)").matches;
    root.appendChild(this.more);
    this.more.appendChild(el("div", { "class": "bp-controls", role: "group" },
      el("div", { "class": "bp-field" }, this.themeLabel, this.themeSelect),
      el("div", { "class": "bp-field" }, this.yearLabel,
        el("div", { "class": "bp-field bp-inline" }, this.yearRange, this.yearValue,
          el("label", { "class": "bp-field bp-inline" }, this.allYears, this.allYearsLabel))),
      el("div", { "class": "bp-field", role: "group" }, this.pathHeading,
        el("div", { "class": "bp-field bp-inline" },
          el("span", { "class": "bp-field" }, this.fromLabel, this.fromSelect),
          el("span", { "class": "bp-field" }, this.toLabel, this.toSelect),
          this.findButton, this.clearButton)),
      el("div", { "class": "bp-field bp-inline" }, this.pngButton, this.tableButton)));

    this.legendHeading = el("h2", { "class": "bp-side-heading" });
    this.legendList = el("ul");
    this.hubsHeading = el("h2", { "class": "bp-side-heading" });
    this.hubsList = el("ol");
    // the lines' legend: the same three styles as cyStyle draws
    this.linesHeading = el("h2", { "class": "bp-side-heading" });
    this.lineItems = ["lineCoop", "lineMember", "lineOther"].map(function (key) {
      var text = el("span");
      return { key: key, text: text, item: el("li", null,
        el("span", { "class": "bp-line bp-" + key, "aria-hidden": "true" }), text) };
    });
    this.fallbackNote = el("p", { "class": "bp-note", hidden: true });
    // every node as a button: the keyboard's way into the graph
    this.nodesSummary = el("summary");
    this.nodesList = el("ul");
    this.graphEl = el("div", { "class": "bp-graph", role: "img" });
    this.panel = el("aside", { "class": "bp-panel", hidden: true, tabindex: "-1", "aria-live": "polite" });
    this.main = el("div", { "class": "bp-main bp-no-panel" },
      el("div", { "class": "bp-side" },
        el("nav", { "class": "bp-legend" }, this.legendHeading, this.legendList),
        el("div", { "class": "bp-lines" }, this.linesHeading,
          el("ul", null, this.lineItems[0].item, this.lineItems[1].item, this.lineItems[2].item)),
        this.fallbackNote,
        el("div", { "class": "bp-hubs" }, this.hubsHeading, this.hubsList),
        el("details", { "class": "bp-nodes" }, this.nodesSummary, this.nodesList)),
      this.graphEl, this.panel);
    root.appendChild(this.main);
    this.status = el("p", { "class": "bp-status", role: "status" });
    root.appendChild(this.status);
    this.tableSection = el("section", { "class": "bp-table", id: this.ids.table, hidden: true });
    root.appendChild(this.tableSection);

    this.langSelect.addEventListener("change", function () { self.setLanguage(self.langSelect.value); });
    this.themeSelect.addEventListener("change", function () { self.applyFilters(); });
    this.allYears.addEventListener("change", function () {
      self.yearRange.disabled = self.allYears.checked;
      self.showYear();
      self.applyFilters();
    });
    var timer = null;
    this.yearRange.addEventListener("input", function () {
      self.showYear();
      clearTimeout(timer);
      timer = setTimeout(function () { self.applyFilters(); }, 120);
    });
    this.searchInput.addEventListener("input", function () { self.search(false); });
    this.searchInput.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); self.search(true); }
    });
    this.searchInput.addEventListener("change", function () { self.search(true); });
    this.findButton.addEventListener("click", function () { self.findPath(); });
    this.clearButton.addEventListener("click", function () { self.clearPath(); });
    this.pngButton.addEventListener("click", function () { self.exportPng(); });
    // Escape closes the panel and gives the focus back to what opened it (after a click on the canvas the
    // focus is on the body: the key is heard there too)
    document.addEventListener("keydown", function (event) {
      var target = event.target;
      if (event.key === "Escape" && !self.panel.hidden && (target === document.body || root.contains(target))) {
        event.preventDefault();
        self.closePanel();
      }
    });
    this.tableButton.addEventListener("click", function () {
      var open = self.tableSection.hidden;
      self.tableSection.hidden = !open;
      self.tableButton.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) { self.renderTable(); }
    });
  };

  BeneluxPlus.prototype.translate = function () {
    var ui = UI[this.lang];
    this.root.setAttribute("lang", this.lang);
    // (the same text is left alone: a new text node is a new paint, the page's largest, long after the first)
    if (this.titleEl.textContent !== ui.title) { this.titleEl.textContent = ui.title; }
    this.langLabel.textContent = ui.language;
    this.searchLabel.textContent = ui.search;
    this.searchInput.setAttribute("placeholder", ui.searchHint);
    this.themeLabel.textContent = ui.theme;
    this.yearLabel.textContent = ui.year;
    this.allYearsLabel.textContent = ui.allYears;
    this.pathHeading.textContent = ui.path;
    this.fromLabel.textContent = ui.from;
    this.toLabel.textContent = ui.to;
    this.findButton.textContent = ui.find;
    this.clearButton.textContent = ui.clear;
    this.pngButton.textContent = ui.exportPng;
    this.tableButton.textContent = ui.table;
    this.legendHeading.textContent = ui.types;
    this.hubsHeading.textContent = ui.hubs;
    this.moreSummary.textContent = ui.more;
    this.linesHeading.textContent = ui.lines;
    this.lineItems.forEach(function (l) { l.text.textContent = ui[l.key]; });
    this.fallbackNote.textContent = ui.fallback;
    this.graphEl.setAttribute("aria-label", ui.graph + " (" + ui.table + ")");
    this.showYear();
  };

  BeneluxPlus.prototype.showYear = function () {
    var range = this.yearRange.min + "–" + this.yearRange.max;
    var text = this.allYears.checked ? range : this.yearRange.value;
    this.yearValue.textContent = text;
    this.yearRange.setAttribute("aria-valuetext", this.allYears.checked ? this.t("allYears") + " (" + range + ")"
                                                                         : text);
  };

  /* ---------- the graph ---------- */

  BeneluxPlus.prototype.init = function () {
    var self = this;
    this.build();
    this.translate();
    if (this.apiRefused) { // a link's ?api= naming a server this page does not read: said, and nothing loaded
      var refused = this.apiRefused;
      this.setStatus(this.t("apiRefused").replace("{origin}", refused.origin).replace("{allowed}", refused.allowed),
        true);
      this.root.setAttribute("data-state", "refused");
      return Promise.resolve();
    }
    this.setStatus(this.t("loading"));
    if (typeof cytoscape !== "function") {
      this.setStatus(this.t("loadError") + "Cytoscape.js is not loaded", true);
      return Promise.resolve();
    }
    if (typeof cytoscapeFcose === "function" && !BeneluxPlus.fcoseRegistered) {
      cytoscape.use(cytoscapeFcose);
      BeneluxPlus.fcoseRegistered = true;
    }
    // the hubs are asked for with the graph: the drawing marks them from the start, as the list names them
    var answers = Promise.all([this.fetchJSON("/api/graph/benelux-plus", { lang: this.lang }), this.loadHubs()]);
    answers.catch(function () { /* said by the chain below */ });
    // Cytoscape starts in a task of its own, after the page's first frame
    this.ready = afterFrame().then(function () {
      self.startCytoscape();
      return answers;
    }).then(function (answers) {
      var data = answers[0];
      self.data = data;
      self.prepare(data);
      // sorted, so that the seeded layout sees the same graph in the same order on every load
      var byId = function (a, b) { return a.data.id < b.data.id ? -1 : a.data.id > b.data.id ? 1 : 0; };
      var nodes = data.elements.nodes.slice().sort(byId).map(function (n) {
        return n.position ? { data: Object.assign({ bpPlaced: true }, n.data), position: n.position } : n;
      });
      var elements = nodes.concat(data.elements.edges.slice().sort(byId));
      self.remember(data);
      // with the server's positions, the nodes are added, placed and fitted in one batch: styled once (a layout
      // run in the page needs them styled first)
      self.drawFirstFrameDirectly();
      if (nodes.every(function (n) { return n.position; })) {
        self.cy.batch(function () { self.cy.add(elements); self.runLayout(); });
      } else {
        self.cy.add(elements);
        self.runLayout();
      }
      return nextTask(); // the lists in a task of their own: shorter tasks keep the page responsive meanwhile
    }).then(function () {
      self.fillControls(self.data);
      self.afterFilter();
      self.root.setAttribute("data-state", "ready");
      if (self.focusAsked) { self.focusAskedNode(); }
    }).catch(function (error) {
      self.setStatus(self.t("loadError") + error.message, true);
      self.root.setAttribute("data-state", "error");
    });
    return this.ready;
  };

  BeneluxPlus.prototype.startCytoscape = function () {
    var self = this;
    this.cy = cytoscape({
      container: this.graphEl,
      style: this.cyStyle(),
      wheelSensitivity: 0.3,
      minZoom: MIN_ZOOM,
      maxZoom: MAX_ZOOM
    });
    this.skipIdleResizes();
    this.cy.on("tap", "node", function (event) { self.showNode(event.target.id()); });
    this.cy.on("tap", "edge", function (event) { self.showEdge(event.target.id()); });
    this.cy.on("mouseover", "edge", function (event) { event.target.addClass("bp-hover"); });
    this.cy.on("mouseout", "edge", function (event) { event.target.removeClass("bp-hover"); });
    // once the reader pans or zooms, a change of size keeps their view instead of refitting
    this.cy.on("dragpan scrollzoom pinchzoom", function () { self.fitted = false; });
    this.cy.on("zoom", function () { if (!self.fitting) { self.labelEdges(); } });
    this.watchLayout();
  };

  /* The first drawing is made directly on the canvas. Cytoscape keeps a picture of each node and label (its texture
     caches) so that panning and zooming only copy them, but making them all for the first frame was the page's
     costliest task on a phone; they are made at the next drawing instead, the reader's first move. (Internals of
     Cytoscape's canvas renderer: where they are missing, the first frame is drawn as any other.) */
  BeneluxPlus.prototype.drawFirstFrameDirectly = function () {
    var self = this;
    var renderer = this.cy.renderer();
    if (!renderer || typeof renderer.drawLayeredElements !== "function" ||
        typeof renderer.drawElements !== "function") { return; }
    var cached = renderer.drawLayeredElements;
    renderer.drawLayeredElements = function (context, eles) {
      renderer.drawLayeredElements = cached;
      self.firstFrameDirect = true;
      return renderer.drawElements(context, eles);
    };
  };

  BeneluxPlus.prototype.layoutOptions = function () {
    return { name: typeof cytoscapeFcose === "function" ? "fcose" : "cose", quality: "proof", randomize: true,
             animate: false, fit: false, nodeRepulsion: function () { return 25000; },
             idealEdgeLength: function (edge) { return edge.data("kind") === "cooperatesWith" ? 150 : 110; },
             edgeElasticity: function () { return 0.3; }, nodeSeparation: 110, gravity: 0.15,
             gravityRange: 4, padding: 25, numIter: 3000, nodeDimensionsIncludeLabels: true };
  };

  /* The layout, the same on every load: fcose draws its start from Math.random, which is seeded for the run
     (synchronous, as animate is off). Then the drawing is turned to the container's shape and fitted. */
  BeneluxPlus.prototype.runLayout = function () {
    // the server's positions (computed once per release) cost the browser nothing; an API without them gets
    // the force layout, if the page loaded one (fcose), else Cytoscape's own
    var placed = this.cy.nodes().every(function (node) { return node.data("bpPlaced"); });
    if (!placed) {
      var random = Math.random;
      Math.random = seeded(2025);
      try { this.cy.layout(this.layoutOptions()).run(); } finally { Math.random = random; }
    }
    this.shapeToContainer();
    this.fit();
  };

  /* A portrait container (a phone) gets the drawing turned a quarter, and the drawing is stretched along the
     container's longer side: the same graph, more room between the labels. (The box is read from the positions
     and sizes the page knows: Cytoscape's would have it style and measure every element first.) */
  BeneluxPlus.prototype.shapeToContainer = function () {
    var width = this.graphEl.clientWidth || 1;
    var height = this.graphEl.clientHeight || 1;
    var nodes = this.cy.nodes();
    var box = union(nodes.map(function (node) { return bodyBox(node.position(), node.data("bpSize")); }));
    if (!box.w || !box.h) { return; }
    var turn = (height > width) !== (box.h > box.w);
    var bw = turn ? box.h : box.w;
    var bh = turn ? box.w : box.h;
    var sx = Math.min(1.8, Math.max(1, (width / height) / (bw / bh)));
    var sy = Math.min(1.8, Math.max(1, (height / width) / (bh / bw)));
    nodes.positions(function (node) {
      var p = node.position();
      var x = turn ? p.y : p.x;
      var y = turn ? p.x : p.y;
      return { x: x * sx, y: y * sy };
    });
  };

  /* ---------- the view: computed here, from the positions, the sizes and the labels' measures ---------- */

  /* Boxes are {x1, y1, x2, y2} in the drawing's units (Cytoscape's model coordinates) unless said otherwise. */
  function union(boxes) {
    var u = { x1: Infinity, y1: Infinity, x2: -Infinity, y2: -Infinity };
    boxes.forEach(function (b) {
      u.x1 = Math.min(u.x1, b.x1); u.y1 = Math.min(u.y1, b.y1);
      u.x2 = Math.max(u.x2, b.x2); u.y2 = Math.max(u.y2, b.y2);
    });
    u.w = u.x2 - u.x1;
    u.h = u.y2 - u.y1;
    return u;
  }

  function overlap(a, b) { return a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2; }

  /* A node's body, with room for its border (4-5 when selected or on a path). */
  function bodyBox(p, size) {
    var half = size / 2 + 3;
    return { x1: p.x - half, y1: p.y - half, x2: p.x + half, y2: p.y + half };
  }

  /* Its label below it, as Cytoscape bounds it: text-margin-y 3, text-background-padding 1, and 2 of its own
     margin for error around the text. */
  function labelBox(p, size, label) {
    var top = p.y + size / 2;
    return { x1: p.x - label.w / 2 - 3, y1: top, x2: p.x + label.w / 2 + 3, y2: top + label.h + 6 };
  }

  function onScreen(b, view) {
    var z = view.zoom;
    return { x1: b.x1 * z + view.pan.x, y1: b.y1 * z + view.pan.y, x2: b.x2 * z + view.pan.x,
             y2: b.y2 * z + view.pan.y };
  }

  /* The zoom and pan that show `box` in width × height less `padding` on each side, centred (as cy.fit). */
  function viewOf(box, width, height, padding) {
    var zoom = Math.min((width - 2 * padding) / Math.max(box.w, 1), (height - 2 * padding) / Math.max(box.h, 1));
    zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom));
    return { zoom: zoom, pan: { x: (width - zoom * (box.x1 + box.x2)) / 2, y: (height - zoom * (box.y1 + box.y2)) / 2 } };
  }

  /* A label's size {w, h} at a font size, as Cytoscape will draw it (text-wrap: wrap): the same wrapping into
     lines, measured on a canvas of the same font. Measured here, once per label and size: Cytoscape's own fit
     measured every label again for each trial size, word by word, and that was most of the page's start-up. */
  function LabelMeter(em) {
    this.context = document.createElement("canvas").getContext("2d");
    this.font = "";
    this.em = em; // text-max-width is in ems of the container's font size
    this.cache = {};
  }

  LabelMeter.prototype.width = function (font, text) {
    if (this.font !== font) { this.context.font = font; this.font = font; }
    return Math.ceil(this.context.measureText(text).width);
  };

  LabelMeter.prototype.measure = function (text, style, size, maxEm) {
    var font = style + " " + size + "px " + FONT;
    var key = font + "|" + maxEm + "|" + text;
    if (this.cache[key]) { return this.cache[key]; }
    var self = this;
    var maxWidth = maxEm * this.em;
    var lines = [];
    String(text).split("\n").forEach(function (line) { // Cytoscape's wrapping (getLabelText), word by word
      if (self.width(font, line) <= maxWidth) { lines.push(line); return; }
      var sub = "";
      var previous = 0;
      var words = line.matchAll(/[\s\u200b]+|$/g);
      for (var m = words.next(); !m.done; m = words.next()) {
        var separator = m.value[0];
        var word = line.substring(previous, m.value.index);
        previous = m.value.index + separator.length;
        var test = sub.length === 0 ? word : sub + word + separator;
        if (self.width(font, test) <= maxWidth) { sub += word + separator; }
        else { if (sub) { lines.push(sub); } sub = word + separator; }
      }
      if (!/^[\s\u200b]+$/.test(sub)) { lines.push(sub); }
    });
    var width = 0;
    lines.forEach(function (line) { width = Math.max(width, self.width(font, line)); });
    return (this.cache[key] = { w: width, h: lines.length * size });
  };

  /* Fit the visible graph, then size the labels for that zoom: at least LABEL_PX on screen, the hubs larger.
     Where the container is too small for every label (a phone), the labels that fit are shown, the hubs first;
     the others are drawn too small to show (min-zoomed-font-size) until one zooms in. The view is computed here
     and set once (no cy.fit: it has Cytoscape measure every label for each trial). */
  BeneluxPlus.prototype.fit = function () {
    var cy = this.cy;
    var nodes = cy.nodes().not(".bp-hidden");
    if (!nodes.length) { return; }
    var width = this.graphEl.clientWidth;
    var height = this.graphEl.clientHeight;
    var roomy = width * height / nodes.length > 12000;
    var meter = this.meter || (this.meter = new LabelMeter(parseFloat(getComputedStyle(this.graphEl).fontSize)));
    var items = nodes.map(function (node) {
      var d = node.data();
      return { node: node, id: node.id(), p: node.position(), size: d.bpSize, text: String(d.label || ""),
               style: (d.bpEnglish ? "italic" : "normal") + " " + (d.bpHub ? "bold" : "normal"),
               maxEm: d.category === "instrument" ? 14 : 11, hub: d.bpHub, degree: d.bpDegree };
    });
    var at = function (fontOf) { // each node's body and label with its label at fontOf(item): their union's view
      return viewOf(union(items.map(function (it) {
        it.font = fontOf(it);
        it.label = meter.measure(it.text, it.style, it.font, it.maxEm);
        return union([bodyBox(it.p, it.size), labelBox(it.p, it.size, it.label)]);
      })), width, height, PADDING);
    };
    var view;
    if (roomy) {
      // the labels' size follows the zoom, and the zoom the labels' size: a few rounds settle both
      view = viewOf(union(items.map(function (it) { return bodyBox(it.p, it.size); })), width, height, PADDING);
      for (var i = 0; i < 4; i++) {
        var zoom = view.zoom;
        view = at(function (it) { return (it.hub ? HUB_PX : LABEL_PX) * 1.06 / zoom; });
      }
    } else {
      view = at(function () { return LABEL_PX; });
      this.placeLabels(items, view, width, height, meter);
    }
    this.boxes = {};
    var self = this;
    items.forEach(function (it) { self.boxes[it.id] = { body: bodyBox(it.p, it.size), label: labelBox(it.p, it.size, it.label) }; });
    this.edgeFont = EDGE_PX / view.zoom;
    cy.batch(function () {
      items.forEach(function (it) { it.node.style("font-size", it.font); });
      cy.edges().not(".bp-hidden").style("font-size", self.edgeFont);
    });
    this.fitting = true; // (its zoom event places the edge labels once, below)
    try { cy.viewport(view); } finally { this.fitting = false; }
    this.fitted = true;
    this.labelEdges();
  };

  /* Labels one by one, the hubs first then the most connected: each at a readable size if it overlaps no
     label already placed, else left too small to show. */
  BeneluxPlus.prototype.placeLabels = function (items, view, width, height, meter) {
    var placed = [];
    var bodies = items.map(function (it) {
      var box = onScreen(bodyBox(it.p, it.size), view);
      box.id = it.id;
      return box;
    });
    var hubIds = this.hubIds || [];
    var rank = function (it) {
      var hub = hubIds.indexOf(it.id);
      return hub >= 0 ? hub : hubIds.length + 100 - it.degree;
    };
    items.slice().sort(function (a, b) { return rank(a) - rank(b) || (a.id < b.id ? -1 : 1); }).forEach(function (it) {
      var font = (it.hub ? LABEL_PX + 1 : LABEL_PX) * 1.06 / view.zoom;
      var label = meter.measure(it.text, it.style, font, it.maxEm);
      var box = onScreen(labelBox(it.p, it.size, label), view);
      var clash = placed.concat(bodies).some(function (t) { return t.id !== it.id && overlap(box, t); }) ||
        box.x1 < 0 || box.y1 < 0 || box.x2 > width || box.y2 > height;
      if (!clash) {
        placed.push(box);
        it.font = font;
        it.label = label;
      }
    });
  };

  /* Edge labels where they fit: on a line long enough for the text, clear of the node labels and of the edge
     labels already placed (the longest lines first). The nodes' boxes are the fit's (its measures). */
  BeneluxPlus.prototype.labelEdges = function () {
    var cy = this.cy;
    var view = { zoom: cy.zoom(), pan: cy.pan() };
    var boxes = this.boxes || {};
    var body = function (node) {
      var b = boxes[node.id()];
      return b ? onScreen(b.body, view) : node.renderedBoundingBox({ includeLabels: false });
    };
    var taken = cy.nodes().not(".bp-hidden").map(function (node) {
      var b = boxes[node.id()];
      return b ? onScreen(union([b.body, b.label]), view) : node.renderedBoundingBox({ includeLabels: true });
    });
    var edges = cy.edges().not(".bp-hidden").map(function (edge) {
      var p = edge.source().renderedPosition();
      var q = edge.target().renderedPosition();
      return { edge: edge, p: p, q: q, length: Math.hypot(p.x - q.x, p.y - q.y) };
    }).sort(function (a, b) { return b.length - a.length; });
    var px = (this.edgeFont || EDGE_PX) * view.zoom;
    var show = {};
    edges.forEach(function (e) {
      var tw = String(e.edge.data("label") || "").length * px * 0.55 + 4;
      var th = px + 4;
      var a = body(e.edge.source());
      var b = body(e.edge.target());
      if (px < 9 || e.length - (a.x2 - a.x1 + b.x2 - b.x1) / 2 < tw + 12) { return; }
      var cos = Math.abs(e.q.x - e.p.x) / e.length;
      var sin = Math.abs(e.q.y - e.p.y) / e.length;
      var w = cos * tw + sin * th;
      var h = sin * tw + cos * th;
      var mx = (e.p.x + e.q.x) / 2;
      var my = (e.p.y + e.q.y) / 2;
      var box = { x1: mx - w / 2, x2: mx + w / 2, y1: my - h / 2, y2: my + h / 2 };
      if (taken.some(function (t) { return overlap(box, t); })) { return; }
      taken.push(box);
      show[e.edge.id()] = true;
    });
    cy.batch(function () {
      cy.edges().forEach(function (edge) { edge.toggleClass("bp-edge-label", !!show[edge.id()]); });
    });
  };

  /* Clicks hit what they point at: Cytoscape caches where its container sits, and refreshes it when the
     container changes size, not when something above it moves it. Any change of size of what comes before the
     graph (or of the graph) tells it to look again, and refits the drawing unless the reader has moved it. */
  BeneluxPlus.prototype.watchLayout = function () {
    var self = this;
    if (typeof ResizeObserver !== "function") { return; }
    var sizes = {};
    this.resizeObserver = new ResizeObserver(function () {
      if (!self.cy) { return; }
      self.cy.resize(); // (only looks again where the container is, if its size is the same: skipIdleResizes)
      var size = self.graphEl.clientWidth + "x" + self.graphEl.clientHeight;
      if (size !== sizes.graph && self.fitted && self.cy.nodes().length) { self.fit(); }
      sizes.graph = size;
    });
    Array.prototype.forEach.call(this.root.children, function (child) { self.resizeObserver.observe(child); });
    Array.prototype.forEach.call(this.main.children, function (child) { self.resizeObserver.observe(child); });
  };

  /* Cytoscape draws everything again at each cy.resize(), even one that changes nothing: its own observers ask
     for one about 100 ms after it starts (just after the first drawing: a second whole frame at the page's
     start), and the page's for each change of the lists around the graph. One that changes neither the
     container's size nor the pixel ratio only has it look again where its container is (for the clicks). */
  BeneluxPlus.prototype.skipIdleResizes = function () {
    var cy = this.cy;
    var graphEl = this.graphEl;
    var renderer = cy.renderer();
    if (!renderer || typeof renderer.invalidateContainerClientCoordsCache !== "function") { return; }
    var resize = cy.resize;
    var last = null;
    cy.resize = function () {
      var size = graphEl.clientWidth + "x" + graphEl.clientHeight + "@" + window.devicePixelRatio;
      if (size === last) {
        renderer.invalidateContainerClientCoordsCache();
        return cy;
      }
      last = size;
      return resize.apply(cy, arguments);
    };
  };

  BeneluxPlus.prototype.cyStyle = function () {
    var styles = [
      { selector: "node", style: {
        "label": "data(label)", "font-size": 13, "font-family": FONT,
        "text-wrap": "wrap", "text-max-width": "11em", "text-valign": "bottom", "text-margin-y": 3,
        "color": "#1b1f24", "min-zoomed-font-size": 10,
        // an opaque box behind the label: the lines that pass under it do not cross the letters
        "text-background-color": "#ffffff", "text-background-opacity": 0.92, "text-background-padding": 1,
        "width": "data(bpSize)", "height": "data(bpSize)",
        "border-width": 1, "border-color": "#333333" } },
      { selector: "node[category = 'instrument']", style: { "text-max-width": "14em" } },
      { selector: "node[?bpHub]", style: { "font-weight": "bold" } },
      { selector: "node[?bpEnglish]", style: { "font-style": "italic" } },
      { selector: "edge", style: {
        "curve-style": "bezier", "width": 1.4, "line-color": "#9aa1a9", "target-arrow-color": "#9aa1a9",
        "target-arrow-shape": "triangle", "arrow-scale": 0.8, "font-size": 10, "text-rotation": "autorotate",
        "color": "#333333", "text-background-color": "#ffffff", "text-background-opacity": 0.85,
        "text-background-padding": 1, "font-family": FONT,
        "min-zoomed-font-size": 9 } },
      { selector: "edge.bp-edge-label", style: { "label": "data(label)" } },
      { selector: "edge[kind = 'cooperatesWith']", style: {
        "width": 2.6, "line-color": "#0b5cad", "target-arrow-shape": "none" } },
      { selector: "edge[kind = 'memberOf'], edge[kind = 'presidencyHeldBy']", style: {
        "line-style": "dashed", "line-color": "#5f6b76", "target-arrow-color": "#5f6b76" } },
      { selector: "edge.bp-hover, edge:selected", style: { "label": "data(label)", "width": 3 } },
      { selector: "node:selected", style: { "border-width": 4, "border-color": "#f0a500" } },
      { selector: ".bp-hidden", style: { "display": "none" } },
      { selector: ".bp-faded", style: { "opacity": 0.18 } },
      { selector: "node.bp-match", style: { "border-width": 4, "border-color": "#f0a500" } },
      { selector: "node.bp-path", style: { "border-width": 5, "border-color": "#d00000" } },
      { selector: "edge.bp-path", style: { "width": 5, "line-color": "#d00000", "target-arrow-color": "#d00000",
                                           "label": "data(label)" } }
    ];
    Object.keys(STYLE).forEach(function (category) {
      styles.splice(2, 0, { selector: "node[category = '" + category + "']", style: {
        "background-color": STYLE[category].color, "shape": STYLE[category].shape } });
    });
    return styles;
  };

  /* The drawing's own data on each node of an answer, set before the nodes reach Cytoscape (set after, each would
     be styled again): its size, by its number of lines; whether its label is shown in English for want of one in
     the page's language (italic); whether it is one of the five most connected of the metrics (bold, larger: the
     list "Most connected"). */
  BeneluxPlus.prototype.prepare = function (data) {
    var self = this;
    var degree = {};
    data.elements.edges.forEach(function (e) {
      if (e.data.source === e.data.target) { return; }
      degree[e.data.source] = (degree[e.data.source] || 0) + 1;
      degree[e.data.target] = (degree[e.data.target] || 0) + 1;
    });
    var hubIds = this.hubIds || [];
    data.elements.nodes.forEach(function (n) {
      var d = n.data;
      d.bpDegree = degree[d.id] || 0;
      d.bpSize = 20 + 5 * Math.sqrt(d.bpDegree);
      d.bpEnglish = self.isEnglish(d);
      d.bpHub = hubIds.indexOf(d.id) >= 0;
    });
  };

  BeneluxPlus.prototype.remember = function (data) {
    var self = this;
    data.elements.nodes.forEach(function (n) { self.nodeData[n.data.id] = n.data; });
    this.fallbackNote.hidden = !data.elements.nodes.some(function (n) { return n.data.bpEnglish; });
    this.hubsList.querySelectorAll("button[data-id]").forEach(function (button) {
      self.markEnglish(button, button.getAttribute("data-id"));
    });
  };

  /* lang="en" on an element that shows a node's label in English for want of one in the page's language */
  BeneluxPlus.prototype.markEnglish = function (element, id) {
    if (this.isEnglish(this.nodeData[id])) { element.setAttribute("lang", "en"); }
    else { element.removeAttribute("lang"); }
    return element;
  };

  BeneluxPlus.prototype.isEnglish = function (d) {
    return !!d && this.lang !== "en" && d.label_lang === "en";
  };

  BeneluxPlus.prototype.nodeLabel = function (id) {
    return this.nodeData[id] ? this.nodeData[id].label : id;
  };

  BeneluxPlus.prototype.sortedNodes = function () {
    var self = this;
    return Object.keys(this.nodeData).sort(function (a, b) {
      return self.nodeLabel(a).localeCompare(self.nodeLabel(b), self.lang);
    });
  };

  BeneluxPlus.prototype.fillControls = function (data) {
    var self = this;
    var ui = UI[this.lang];
    // legend by type: one checkbox per category
    var checked = {};
    this.legendList.querySelectorAll("input").forEach(function (box) { checked[box.value] = box.checked; });
    clear(this.legendList);
    data.meta.legend.forEach(function (entry) {
      var style = STYLE[entry.category] || STYLE.other;
      var box = el("input", { type: "checkbox", value: entry.category });
      box.checked = checked[entry.category] !== false;
      box.addEventListener("change", function () { self.applyFilters(); });
      var swatch = el("span", { "class": "bp-swatch" + (style.shape === "ellipse" ? " bp-round" : ""),
                                "aria-hidden": "true" });
      swatch.style.backgroundColor = style.color;
      self.legendList.appendChild(el("li", null, el("label", null, box, swatch,
        el("span", { text: ui.category[entry.category] || entry.category }),
        el("span", { "class": "bp-count", text: String(entry.count) }))));
    });
    // themes
    var theme = this.themeSelect.value;
    clear(this.themeSelect);
    this.themeSelect.appendChild(new Option(ui.allThemes, ""));
    data.meta.themes.forEach(function (t) {
      self.themeSelect.appendChild(new Option(t.label + " (" + t.count + ")", t.slug));
    });
    this.themeSelect.value = theme || "";
    // years
    if (data.meta.years) {
      this.yearRange.min = String(Math.min(data.meta.years[0], 2021));
      this.yearRange.max = String(Math.max(data.meta.years[1], 2028));
      this.showYear();
    }
    // names for search and the path finder
    var from = this.fromSelect.value;
    var to = this.toSelect.value;
    [this.fromSelect, this.toSelect].forEach(function (select) {
      clear(select);
      select.appendChild(new Option(ui.choose, ""));
    });
    clear(this.names);
    clear(this.nodesList);
    var ids = this.sortedNodes();
    ids.forEach(function (id) {
      var label = self.nodeLabel(id);
      self.fromSelect.appendChild(self.markEnglish(new Option(label, id), id));
      self.toSelect.appendChild(self.markEnglish(new Option(label, id), id));
      self.names.appendChild(self.markEnglish(new Option(label, label), id));
      self.nodesList.appendChild(el("li", null, self.nodeButton(id, label)));
    });
    this.nodesSummary.textContent = ui.nodes + " (" + ids.length + ")";
    this.fromSelect.value = from;
    this.toSelect.value = to;
  };

  BeneluxPlus.prototype.setStatus = function (text, isError) {
    this.status.textContent = text;
    this.status.classList.toggle("bp-error", !!isError);
  };

  /* ---------- filters: asked of the API, applied by hiding what it did not return ---------- */

  BeneluxPlus.prototype.filterParams = function () {
    var boxes = Array.prototype.slice.call(this.legendList.querySelectorAll("input"));
    var types = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
    return {
      type: types.length === boxes.length ? null : (types.length ? types.join(",") : "none"),
      theme: this.themeSelect.value || null,
      year: this.allYears.checked ? null : this.yearRange.value
    };
  };

  BeneluxPlus.prototype.applyFilters = function () {
    var self = this;
    var params = this.filterParams();
    var seq = ++this.seq;
    if (!params.type && !params.theme && !params.year) {
      this.cy.elements().removeClass("bp-hidden");
      this.afterFilter();
      return Promise.resolve();
    }
    if (params.type === "none") {
      this.cy.elements().addClass("bp-hidden");
      this.afterFilter();
      return Promise.resolve();
    }
    params.lang = this.lang;
    this.root.setAttribute("data-state", "filtering");
    return this.fetchJSON("/api/graph/benelux-plus", params).then(function (data) {
      if (seq !== self.seq) { return; } // a newer filter has been asked for
      var keep = {};
      data.elements.nodes.concat(data.elements.edges).forEach(function (e) { keep[e.data.id] = true; });
      self.cy.batch(function () {
        self.cy.elements().forEach(function (ele) { ele.toggleClass("bp-hidden", !keep[ele.id()]); });
      });
      self.afterFilter();
    }).catch(function (error) {
      self.setStatus(self.t("loadError") + error.message, true);
      self.root.setAttribute("data-state", "ready");
    });
  };

  BeneluxPlus.prototype.afterFilter = function () {
    var nodes = this.cy.nodes().not(".bp-hidden").length;
    var edges = this.cy.edges().not(".bp-hidden").length;
    this.setStatus(this.t("shown").replace("{n}", nodes).replace("{m}", edges));
    this.root.setAttribute("data-visible-nodes", String(nodes));
    this.root.setAttribute("data-state", "ready");
    if (!this.tableSection.hidden) { this.renderTable(); }
  };

  /* ---------- language ---------- */

  BeneluxPlus.prototype.setLanguage = function (lang) {
    var self = this;
    if (LANGS.indexOf(lang) < 0) { return Promise.resolve(); }
    this.lang = lang;
    this.langSelect.value = lang;
    this.translate();
    this.root.setAttribute("data-state", "loading");
    return this.fetchJSON("/api/graph/benelux-plus", { lang: lang }).then(function (data) {
      self.data = data;
      self.prepare(data);
      self.cy.batch(function () {
        data.elements.nodes.concat(data.elements.edges).forEach(function (e) {
          var ele = self.cy.getElementById(e.data.id);
          if (ele.nonempty()) { ele.data(e.data); }
        });
      });
      self.remember(data);
      self.fillControls(data);
      self.afterFilter();
      if (self.fitted) { self.fit(); } // labels of another length: sized and placed again
      else { self.boxes = null; } // (the fit's measures are of the other labels)
      self.loadHubs();
      if (self.current && self.current.kind === "node") { self.showNode(self.current.id); }
      else if (self.current && self.current.kind === "edge") { self.showEdge(self.current.id); }
      else if (self.current && self.current.kind === "path") { self.findPath(); }
    }).catch(function (error) {
      self.setStatus(self.t("loadError") + error.message, true);
    });
  };

  /* ---------- hubs (metrics) ---------- */

  BeneluxPlus.prototype.loadHubs = function () {
    var self = this;
    return this.fetchJSON("/api/graph/metrics", { scope: "benelux-plus", top: 5, lang: this.lang })
      .then(function (data) {
        clear(self.hubsList);
        self.hubIds = data.nodes.map(function (row) { return row.id; });
        data.nodes.forEach(function (row) {
          var button = el("button", { type: "button", "class": "bp-linkbutton", text: row.label, "data-id": row.id });
          button.addEventListener("click", function () { self.focusNode(row.id); });
          self.hubsList.appendChild(el("li", null, button));
        });
      }).catch(function () { clear(self.hubsList); });
  };

  /* ---------- search ---------- */

  BeneluxPlus.prototype.search = function (go) {
    var self = this;
    var term = this.searchInput.value.trim().toLocaleLowerCase();
    if (!this.cy) { return; } // typed before the graph has started
    this.cy.nodes().removeClass("bp-match");
    if (!term) { return; }
    var matches = this.cy.nodes().filter(function (node) {
      var d = node.data();
      var names = [d.label].concat(d.alt_labels || []);
      Object.keys(d.labels || {}).forEach(function (l) { names.push(d.labels[l]); });
      return names.some(function (name) { return String(name).toLocaleLowerCase().indexOf(term) >= 0; });
    });
    matches.addClass("bp-match");
    if (go && matches.length) {
      var exact = matches.filter(function (n) { return n.data("label").toLocaleLowerCase() === term; });
      self.focusNode((exact.length ? exact : matches)[0].id());
    }
  };

  /* Select a node and open its panel; the graph is refitted to the room the panel leaves. */
  BeneluxPlus.prototype.focusNode = function (id) {
    var node = this.cy.getElementById(id);
    if (node.nonempty()) {
      this.cy.elements().unselect();
      node.select();
    }
    return this.showNode(id);
  };

  /* ?focus=<IRI or slug>: the entity an entity page's link asked for, selected with its panel open. */
  BeneluxPlus.prototype.focusAskedNode = function () {
    var asked = this.focusAsked;
    var id = this.nodeData[asked] ? asked : ID_BASE + asked.replace(/^\/+/, "");
    if (!this.nodeData[id]) {
      this.setStatus(this.t("notShown") + asked, true);
      return Promise.resolve();
    }
    return this.focusNode(id);
  };

  /* ---------- side panel ---------- */

  BeneluxPlus.prototype.openPanel = function (children) {
    var self = this;
    clear(this.panel);
    var close = el("button", { type: "button", "aria-label": this.t("close"), text: "×" });
    close.addEventListener("click", function () { self.closePanel(); });
    this.panel.appendChild(el("div", { "class": "bp-panel-head" }, children.shift(), close));
    children.forEach(function (child) { if (child) { self.panel.appendChild(child); } });
    // a keyboard user who opened it from a button gets the focus back there on Escape
    var active = document.activeElement;
    if (this.panel.hidden && active && active !== document.body && this.root.contains(active) &&
        !this.panel.contains(active)) {
      this.opener = active;
    }
    var opening = this.panel.hidden;
    this.panel.hidden = false;
    this.main.classList.remove("bp-no-panel");
    this.refit();
    if (opening && this.opener && this.opener.closest(".bp-nodes, .bp-hubs, .bp-table")) {
      this.panel.focus({ preventScroll: true });
    }
    // on a narrow screen the panel is below the graph: bring it up if little of it is in sight (and go back there
    // when it closes)
    if (opening && this.panel.getBoundingClientRect().top > window.innerHeight - 120) {
      this.scrolledFrom = window.scrollY;
      this.panel.scrollIntoView({ block: "start" });
    }
  };

  BeneluxPlus.prototype.closePanel = function () {
    this.panel.hidden = true;
    this.current = null;
    this.cy.elements().unselect();
    this.main.classList.add("bp-no-panel");
    this.refit();
    if (this.scrolledFrom !== undefined) { window.scrollTo(window.scrollX, this.scrolledFrom); }
    this.scrolledFrom = undefined;
    if (this.opener && document.contains(this.opener)) { this.opener.focus({ preventScroll: true }); }
    this.opener = null;
  };

  /* The panel takes or gives back room: the drawing is fitted again, so nothing hides behind the panel. */
  BeneluxPlus.prototype.refit = function () {
    this.cy.resize();
    this.fit();
  };

  BeneluxPlus.prototype.quotes = function (sources) {
    var ui = UI[this.lang];
    if (!sources || !sources.length) { return el("p", { "class": "bp-kind", text: ui.noSources }); }
    var box = el("div", { "class": "bp-sources" });
    // the programmes and authorities are quoted as written (in English), with their sections and titles
    var quoted = this.lang !== "en" ? "en" : null;
    sources.forEach(function (s) {
      var where = [s.section, s.document_label || s.authority_label].filter(Boolean).join(" — ");
      // an edge's own source (per-fact citation): the stating span, the whole sentence on hover
      box.appendChild(el("blockquote", { cite: s.id, title: s.sentence || "", lang: quoted },
        el("p", { text: s.quote || s.authority_label || "" }), el("footer", { text: where })));
    });
    return box;
  };

  BeneluxPlus.prototype.resourceLink = function (slug) {
    var path = String(slug).split("/").map(encodeURIComponent).join("/");
    return el("a", { "class": "bp-link", href: this.api + "/id/" + path + "?lang=" + this.lang, target: "_top",
                     text: this.t("details") });
  };

  BeneluxPlus.prototype.nodeButton = function (id, label) {
    var self = this;
    var english = this.isEnglish(this.nodeData[id]);
    var button = el("button", { type: "button", "class": "bp-linkbutton" + (english ? " bp-english" : ""),
                                lang: english ? "en" : null, text: label });
    button.addEventListener("click", function () { self.focusNode(id); });
    return button;
  };

  BeneluxPlus.prototype.showNode = function (id) {
    var self = this;
    var ui = UI[this.lang];
    this.current = { kind: "node", id: id };
    var slug = (this.nodeData[id] && this.nodeData[id].slug) || id;
    return this.fetchJSON("/api/graph/neighbourhood/" + slug.split("/").map(encodeURIComponent).join("/"),
                          { lang: this.lang, depth: 1 }).then(function (data) {
      if (!self.current || self.current.id !== id) { return; }
      var labels = {};
      data.elements.nodes.forEach(function (n) { labels[n.data.id] = n.data; });
      var d = labels[id];
      var idents = el("dl");
      Object.keys(d.identifiers || {}).forEach(function (key) {
        idents.appendChild(el("dt", { text: key }));
        idents.appendChild(el("dd", { text: d.identifiers[key] }));
      });
      if (d.begin !== null || d.end !== null) {
        idents.appendChild(el("dt", { text: ui.period }));
        idents.appendChild(el("dd", { text: yearsText(d.begin, d.end, ui) }));
      }
      var themes = d.theme_labels.length ? el("p", { text: ui.themes + ": " + d.theme_labels.join(", ") }) : null;
      var relations = el("ul");
      data.elements.edges.forEach(function (e) {
        var edge = e.data;
        if (edge.source !== id && edge.target !== id) { return; }
        var other = edge.source === id ? edge.target : edge.source;
        var otherData = labels[other] || {};
        var item = el("li", null,
          el("span", { text: (edge.source === id ? "→ " : "← ") + edge.label + ": " }),
          self.cy.getElementById(other).nonempty() ? self.nodeButton(other, otherData.label)
            : el("span", { text: otherData.label || other, lang: self.isEnglish(otherData) ? "en" : null }));
        var extra = [yearsText(edge.begin, edge.end, ui), edge.status_label].filter(Boolean).join(", ");
        if (extra) { item.appendChild(el("span", { "class": "bp-kind", text: " (" + extra + ")" })); }
        if (edge.sources.length) {
          item.appendChild(el("details", null, el("summary", { text: ui.sources }), self.quotes(edge.sources)));
        }
        relations.appendChild(item);
      });
      self.openPanel([
        el("h2", { text: d.label, lang: self.isEnglish(d) ? "en" : null }),
        el("p", { "class": "bp-kind", text: (ui.category[d.category] || d.category) +
          (d.type_label && d.type_label !== ui.category[d.category] ? " · " + d.type_label : "") }),
        d.comment ? el("p", { text: d.comment, lang: d.comment_lang !== self.lang ? d.comment_lang : null }) : null,
        themes,
        idents.childNodes.length ? el("h3", { text: ui.identifiers }) : null,
        idents.childNodes.length ? idents : null,
        el("h3", { text: ui.sources }), self.quotes(d.sources),
        el("h3", { text: ui.relationships }), relations,
        el("p", null, self.resourceLink(d.slug))
      ]);
      self.root.setAttribute("data-panel", d.slug);
    }).catch(function (error) { self.setStatus(error.message, true); });
  };

  BeneluxPlus.prototype.showEdge = function (edgeId) {
    var ui = UI[this.lang];
    var edge = this.cy.getElementById(edgeId).data();
    if (!edge) { return; }
    this.current = { kind: "edge", id: edgeId };
    var facts = el("dl");
    function fact(name, value) {
      if (value) { facts.appendChild(el("dt", { text: name })); facts.appendChild(el("dd", { text: value })); }
    }
    fact(ui.period, yearsText(edge.begin, edge.end, ui));
    fact(ui.status, edge.status_label);
    fact(ui.basedOn, edge.instruments.map(function (i) { return i.label; }).join("; "));
    fact(ui.themes, edge.theme_labels.join(", "));
    this.openPanel([
      el("h2", { text: edge.label }),
      el("p", null, this.nodeButton(edge.source, this.nodeLabel(edge.source)), " → ",
         this.nodeButton(edge.target, this.nodeLabel(edge.target))),
      facts,
      el("h3", { text: ui.sources }), this.quotes(edge.sources)
    ]);
  };

  /* ---------- path finder ---------- */

  BeneluxPlus.prototype.clearPath = function () {
    this.cy.elements().removeClass("bp-path bp-faded");
    if (this.current && this.current.kind === "path") { this.closePanel(); }
  };

  BeneluxPlus.prototype.findPath = function () {
    var self = this;
    var ui = UI[this.lang];
    var from = this.fromSelect.value;
    var to = this.toSelect.value;
    if (!from || !to) { return Promise.resolve(); }
    this.cy.elements().removeClass("bp-path bp-faded");
    this.current = { kind: "path" };
    return this.fetchJSON("/api/graph/path", { from: from, to: to, lang: this.lang, scope: "benelux-plus" })
      .then(function (data) {
        var ids = data.elements.nodes.concat(data.elements.edges).map(function (e) { return e.data.id; });
        self.cy.elements().addClass("bp-faded");
        ids.forEach(function (id) { self.cy.getElementById(id).removeClass("bp-faded").addClass("bp-path"); });
        var steps = el("ol");
        data.steps.forEach(function (step) {
          var e = step.edge;
          steps.appendChild(el("li", null,
            el("p", null, self.nodeButton(step.from, self.nodeLabel(step.from)),
               " " + (step.direction === "forward" ? "→ " : "← ") + e.label + " " +
               (step.direction === "forward" ? "→ " : "← "),
               self.nodeButton(step.to, self.nodeLabel(step.to))),
            self.quotes(e.sources)));
        });
        self.openPanel([el("h2", { text: ui.steps + ": " + data.from.label + " — " + data.to.label }), steps]);
      }).catch(function (error) {
        self.setStatus(error.type === "no-path" ? ui.noPath : error.message, true);
      });
  };

  /* ---------- export and table ---------- */

  BeneluxPlus.prototype.exportPng = function () {
    var blob = this.cy.png({ output: "blob", full: true, scale: 2, bg: "#ffffff" });
    var url = URL.createObjectURL(blob);
    var link = el("a", { href: url, download: "benelux-plus.png" });
    document.body.appendChild(link);
    link.click();
    document.body.removeChild(link);
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  };

  BeneluxPlus.prototype.renderTable = function () {
    var self = this;
    var ui = UI[this.lang];
    clear(this.tableSection);
    var nodes = this.cy.nodes().not(".bp-hidden").toArray().sort(function (a, b) {
      return a.data("label").localeCompare(b.data("label"), self.lang);
    });
    var nodeBody = el("tbody");
    nodes.forEach(function (node) {
      var d = node.data();
      nodeBody.appendChild(el("tr", null,
        el("th", { scope: "row" }, self.nodeButton(d.id, d.label)),
        el("td", { text: ui.category[d.category] || d.category }),
        el("td", { text: d.theme_labels.join(", ") }),
        el("td", { text: String(node.connectedEdges().not(".bp-hidden").length) })));
    });
    this.tableSection.appendChild(el("table", null, el("caption", { text: ui.nodesCaption }),
      el("thead", null, el("tr", null, el("th", { scope: "col", text: ui.name }),
        el("th", { scope: "col", text: ui.type }), el("th", { scope: "col", text: ui.themes }),
        el("th", { scope: "col", text: ui.relationships }))), nodeBody));
    var edgeBody = el("tbody");
    this.cy.edges().not(".bp-hidden").forEach(function (edge) {
      var d = edge.data();
      edgeBody.appendChild(el("tr", null,
        el("td", { text: self.nodeLabel(d.source) }), el("td", { text: d.label }),
        el("td", { text: self.nodeLabel(d.target) }),
        el("td", { text: yearsText(d.begin, d.end, ui) || "" }),
        el("td", { text: d.sources.map(function (s) { return s.quote; }).join(" / ") })));
    });
    this.tableSection.appendChild(el("table", null, el("caption", { text: ui.edgesCaption }),
      el("thead", null, el("tr", null, el("th", { scope: "col", text: ui.from }),
        el("th", { scope: "col", text: ui.relationship }), el("th", { scope: "col", text: ui.to }),
        el("th", { scope: "col", text: ui.period }), el("th", { scope: "col", text: ui.sources }))), edgeBody));
  };

  BeneluxPlus.UI = UI; // the page's own strings, for the test that every language has them all
  window.BeneluxPlus = BeneluxPlus;
  function start() {
    document.querySelectorAll("[data-benelux-plus]").forEach(function (root) {
      if (!root.beneluxPlus) { new BeneluxPlus(root).init(); }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
