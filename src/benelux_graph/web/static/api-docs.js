// /docs (Swagger UI) and /redoc (ReDoc) on this server's OpenAPI description in the page's language; both
// libraries come from the project's npm install (served under /vendor), never from a CDN. Their own English
// words ("Try it out", "Responses"...) are replaced by the page's language from the catalogue the page carries
// (api/api_docs.py), as they are drawn.
(function () {
  "use strict";
  const element = document.getElementById("api-docs");
  const url = element.dataset.openapi;
  const words = JSON.parse(document.getElementById("api-docs-words").textContent || "{}");

  const translating = Object.keys(words).length > 0;

  function translate(root) {
    if (!translating) return;
    const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const text = n.nodeValue.trim();
      if (text && Object.prototype.hasOwnProperty.call(words, text)) {
        n.nodeValue = n.nodeValue.replace(text, words[text]);
      }
    }
  }
  // What Swagger UI leaves out for a screen reader or a keyboard (axe-core): a name for its <select>s (the
  // server, an example) and a way to scroll a long example without a mouse.
  function repair(root) {
    for (const select of root.querySelectorAll("select:not([aria-label])")) {
      const name = select.id === "servers" ? "Servers" : "Examples";
      select.setAttribute("aria-label", words[name] || name);
    }
    for (const code of root.querySelectorAll(".highlight-code pre:not([tabindex])")) {
      code.setAttribute("tabindex", "0");
    }
  }
  new MutationObserver(function (changes) {
    for (const change of changes) {
      for (const node of change.addedNodes) {
        if (node.nodeType === Node.ELEMENT_NODE) {
          translate(node);
          repair(node);
        } else if (node.nodeType === Node.TEXT_NODE && node.parentNode) translate(node.parentNode);
      }
      if (change.type === "characterData" && change.target.parentNode) translate(change.target.parentNode);
    }
  }).observe(element, { childList: true, subtree: true, characterData: true });
  if (window.SwaggerUIBundle) {
    window.SwaggerUIBundle({ url: url, domNode: element, deepLinking: true });
  } else if (window.Redoc) {
    window.Redoc.init(url, { disableSearch: true }, element);  // its search runs in a blob: worker, which CSP forbids
  }
})();
