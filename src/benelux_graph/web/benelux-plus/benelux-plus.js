/*
 * The Benelux+ page: the Benelux+ preset of the graph API drawn with Cytoscape.js and the fcose layout.
 *
 * Embedding: put <div data-benelux-plus data-api="https://graph.example.org"></div> in a page and load
 * cytoscape.min.js, layout-base.js, cose-base.js, cytoscape-fcose.js and this file. The page's own URL may say
 * ?api=<base URL> (overrides data-api) and ?lang=en|fr|nl|de. Each widget is reachable as element.beneluxPlus.
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
      loadError: "Could not load the graph: ", choose: "Choose…", steps: "Path", noSources: "No source passage.",
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
      noPath: "Aucun chemin entre ces deux.", loadError: "Impossible de charger le graphe : ",
      choose: "Choisir…", steps: "Chemin", noSources: "Aucun passage source.",
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
      noPath: "Geen pad tussen deze twee.", loadError: "Kon de graaf niet laden: ", choose: "Kiezen…",
      steps: "Pad", noSources: "Geen bronpassage.",
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
      noPath: "Kein Pfad zwischen diesen beiden.", loadError: "Der Graph konnte nicht geladen werden: ",
      choose: "Auswählen…", steps: "Pfad", noSources: "Keine Quellenpassage.",
      category: { country: "Land", region: "Region", organisation: "Organisation", forum: "Forum oder Gremium",
                  instrument: "Rechtsinstrument", programme: "Arbeitsprogramm", initiative: "Initiative",
                  place: "Ort", person: "Person", theme: "Thema", other: "Sonstiges" }
    }
  };

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

  function yearsText(begin, end, ui) {
    if (begin === null && end === null) { return null; }
    if (end === null) { return ui.since + " " + begin; }
    if (begin === null || begin === end) { return String(end); }
    return begin + "–" + end;
  }

  /* The API's base URL: ?api=, else data-api, else this page's origin. Only http(s) URLs are accepted. */
  function apiBase(root) {
    var asked = new URLSearchParams(window.location.search).get("api");
    var candidates = [asked, root.getAttribute("data-api"), ""];
    for (var i = 0; i < candidates.length; i++) {
      if (candidates[i] === null || candidates[i] === undefined) { continue; }
      try {
        var url = new URL(candidates[i] || ".", window.location.href);
        if (url.protocol === "http:" || url.protocol === "https:") {
          var base = candidates[i] ? url.href : url.origin;
          return base.replace(/\/+$/, "");
        }
      } catch (e) { /* not a URL: try the next one */ }
    }
    return window.location.origin;
  }

  function BeneluxPlus(root) {
    this.root = root;
    this.api = apiBase(root);
    var asked = new URLSearchParams(window.location.search).get("lang");
    this.lang = LANGS.indexOf(asked) >= 0 ? asked : "en";
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
    clear(root);
    var id = "bp" + Math.random().toString(36).slice(2, 8);
    this.ids = { search: id + "-search", lang: id + "-lang", theme: id + "-theme", year: id + "-year",
                 from: id + "-from", to: id + "-to", table: id + "-table", list: id + "-names" };

    this.titleEl = el("h1");
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
    root.appendChild(el("header", { "class": "bp-header" }, this.titleEl,
      el("div", { "class": "bp-controls" },
        el("div", { "class": "bp-field" }, this.searchLabel, this.searchInput, this.names),
        el("div", { "class": "bp-field" }, this.langLabel, this.langSelect))));

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
    root.appendChild(el("div", { "class": "bp-controls", role: "group" },
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

    this.legendHeading = el("h3");
    this.legendList = el("ul");
    this.hubsHeading = el("h3");
    this.hubsList = el("ol");
    this.graphEl = el("div", { "class": "bp-graph", role: "img" });
    this.panel = el("aside", { "class": "bp-panel", hidden: true, tabindex: "-1", "aria-live": "polite" });
    this.main = el("div", { "class": "bp-main bp-no-panel" },
      el("div", { "class": "bp-side" },
        el("nav", { "class": "bp-legend" }, this.legendHeading, this.legendList),
        el("div", { "class": "bp-hubs" }, this.hubsHeading, this.hubsList)),
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
    this.titleEl.textContent = ui.title;
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
    this.graphEl.setAttribute("aria-label", ui.graph + " (" + ui.table + ")");
    this.showYear();
  };

  BeneluxPlus.prototype.showYear = function () {
    this.yearValue.textContent = this.allYears.checked ? "—" : this.yearRange.value;
  };

  /* ---------- the graph ---------- */

  BeneluxPlus.prototype.init = function () {
    var self = this;
    this.build();
    this.translate();
    this.setStatus(this.t("loading"));
    if (typeof cytoscape !== "function") {
      this.setStatus(this.t("loadError") + "Cytoscape.js is not loaded", true);
      return Promise.resolve();
    }
    if (typeof cytoscapeFcose === "function" && !BeneluxPlus.fcoseRegistered) {
      cytoscape.use(cytoscapeFcose);
      BeneluxPlus.fcoseRegistered = true;
    }
    this.cy = cytoscape({
      container: this.graphEl,
      style: this.cyStyle(),
      wheelSensitivity: 0.3,
      minZoom: 0.2,
      maxZoom: 3
    });
    this.cy.on("tap", "node", function (event) { self.showNode(event.target.id()); });
    this.cy.on("tap", "edge", function (event) { self.showEdge(event.target.id()); });
    this.cy.on("mouseover", "edge", function (event) { event.target.addClass("bp-hover"); });
    this.cy.on("mouseout", "edge", function (event) { event.target.removeClass("bp-hover"); });
    this.ready = this.fetchJSON("/api/graph/benelux-plus", { lang: this.lang }).then(function (data) {
      self.data = data;
      self.cy.add(data.elements.nodes.concat(data.elements.edges));
      self.remember(data);
      self.cy.layout(self.layoutOptions()).run();
      self.fillControls(data);
      self.afterFilter();
      self.loadHubs();
      self.root.setAttribute("data-state", "ready");
    }).catch(function (error) {
      self.setStatus(self.t("loadError") + error.message, true);
      self.root.setAttribute("data-state", "error");
    });
    return this.ready;
  };

  BeneluxPlus.prototype.layoutOptions = function () {
    return { name: typeof cytoscapeFcose === "function" ? "fcose" : "cose", quality: "proof", randomize: true,
             animate: false, nodeRepulsion: function () { return 25000; },
             idealEdgeLength: function (edge) { return edge.data("kind") === "cooperatesWith" ? 150 : 110; },
             edgeElasticity: function () { return 0.3; }, nodeSeparation: 110, gravity: 0.15,
             gravityRange: 4, padding: 25, numIter: 3000, nodeDimensionsIncludeLabels: true };
  };

  BeneluxPlus.prototype.cyStyle = function () {
    var styles = [
      { selector: "node", style: {
        "label": "data(label)", "font-size": 11, "font-family": "Liberation Sans, Arial, sans-serif",
        "text-wrap": "wrap", "text-max-width": 120, "text-valign": "bottom", "text-margin-y": 4,
        "color": "#1b1f24", "text-outline-color": "#ffffff", "text-outline-width": 2,
        "width": function (node) { return 20 + 5 * Math.sqrt(node.degree(false)); },
        "height": function (node) { return 20 + 5 * Math.sqrt(node.degree(false)); },
        "border-width": 1, "border-color": "#333333" } },
      { selector: "node[category = 'instrument']", style: { "font-size": 9, "text-max-width": 140 } },
      { selector: "edge", style: {
        "curve-style": "bezier", "width": 1.4, "line-color": "#9aa1a9", "target-arrow-color": "#9aa1a9",
        "target-arrow-shape": "triangle", "arrow-scale": 0.8, "font-size": 9, "text-rotation": "autorotate",
        "color": "#333333", "text-background-color": "#ffffff", "text-background-opacity": 0.85,
        "text-background-padding": 1 } },
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

  BeneluxPlus.prototype.remember = function (data) {
    var self = this;
    data.elements.nodes.forEach(function (n) { self.nodeData[n.data.id] = n.data; });
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
    }
    // names for search and the path finder
    var from = this.fromSelect.value;
    var to = this.toSelect.value;
    [this.fromSelect, this.toSelect].forEach(function (select) {
      clear(select);
      select.appendChild(new Option(ui.choose, ""));
    });
    clear(this.names);
    this.sortedNodes().forEach(function (id) {
      var label = self.nodeLabel(id);
      self.fromSelect.appendChild(new Option(label, id));
      self.toSelect.appendChild(new Option(label, id));
      self.names.appendChild(new Option(label, label));
    });
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
      self.cy.batch(function () {
        data.elements.nodes.concat(data.elements.edges).forEach(function (e) {
          var ele = self.cy.getElementById(e.data.id);
          if (ele.nonempty()) { ele.data(e.data); }
        });
      });
      self.remember(data);
      self.fillControls(data);
      self.afterFilter();
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
        data.nodes.forEach(function (row) {
          var button = el("button", { type: "button", "class": "bp-linkbutton", text: row.label });
          button.addEventListener("click", function () { self.focusNode(row.id); });
          self.hubsList.appendChild(el("li", null, button));
        });
      }).catch(function () { clear(self.hubsList); });
  };

  /* ---------- search ---------- */

  BeneluxPlus.prototype.search = function (go) {
    var self = this;
    var term = this.searchInput.value.trim().toLocaleLowerCase();
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

  BeneluxPlus.prototype.focusNode = function (id) {
    var node = this.cy.getElementById(id);
    if (node.nonempty()) {
      this.cy.elements().unselect();
      node.select();
      this.cy.animate({ center: { eles: node }, zoom: Math.max(this.cy.zoom(), 1) }, { duration: 250 });
    }
    return this.showNode(id);
  };

  /* ---------- side panel ---------- */

  BeneluxPlus.prototype.openPanel = function (children) {
    var self = this;
    clear(this.panel);
    var close = el("button", { type: "button", "aria-label": this.t("close"), text: "×" });
    close.addEventListener("click", function () { self.closePanel(); });
    this.panel.appendChild(el("div", { "class": "bp-panel-head" }, children.shift(), close));
    children.forEach(function (child) { if (child) { self.panel.appendChild(child); } });
    this.panel.hidden = false;
    this.main.classList.remove("bp-no-panel");
    this.cy.resize();
  };

  BeneluxPlus.prototype.closePanel = function () {
    this.panel.hidden = true;
    this.current = null;
    this.main.classList.add("bp-no-panel");
    this.cy.resize();
  };

  BeneluxPlus.prototype.quotes = function (sources) {
    var ui = UI[this.lang];
    if (!sources || !sources.length) { return el("p", { "class": "bp-kind", text: ui.noSources }); }
    var box = el("div", { "class": "bp-sources" });
    sources.forEach(function (s) {
      var where = [s.section, s.document_label || s.authority_label].filter(Boolean).join(" — ");
      // an edge's own source (per-fact citation): the stating span, the whole sentence on hover
      box.appendChild(el("blockquote", { cite: s.id, title: s.sentence || "" },
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
    var button = el("button", { type: "button", "class": "bp-linkbutton", text: label });
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
            : el("span", { text: otherData.label || other }));
        var extra = [yearsText(edge.begin, edge.end, ui), edge.status_label].filter(Boolean).join(", ");
        if (extra) { item.appendChild(el("span", { "class": "bp-kind", text: " (" + extra + ")" })); }
        if (edge.sources.length) {
          item.appendChild(el("details", null, el("summary", { text: ui.sources }), self.quotes(edge.sources)));
        }
        relations.appendChild(item);
      });
      self.openPanel([
        el("h2", { text: d.label }),
        el("p", { "class": "bp-kind", text: (ui.category[d.category] || d.category) + " · " + d.type }),
        d.comment ? el("p", { text: d.comment }) : null,
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

  window.BeneluxPlus = BeneluxPlus;
  function start() {
    document.querySelectorAll("[data-benelux-plus]").forEach(function (root) {
      if (!root.beneluxPlus) { new BeneluxPlus(root).init(); }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
