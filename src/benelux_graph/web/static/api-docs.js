// /docs (Swagger UI) and /redoc (ReDoc) on this server's OpenAPI description in the page's language; both
// libraries come from the project's npm install (served under /vendor), never from a CDN. Their own English
// words ("Try it out", "Responses"...) are replaced by the page's language from the catalogue the page carries
// (api/api_docs.py), as they are drawn.
(function () {
  "use strict";
  const element = document.getElementById("api-docs");
  const url = element.dataset.openapi;
  const words = JSON.parse(document.getElementById("api-docs-words").textContent || "{}");

  function translate(root) {
    const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const text = n.nodeValue.trim();
      if (text && Object.prototype.hasOwnProperty.call(words, text)) {
        n.nodeValue = n.nodeValue.replace(text, words[text]);
      }
    }
  }
  if (Object.keys(words).length) {
    new MutationObserver(function (changes) {
      for (const change of changes) {
        for (const node of change.addedNodes) {
          if (node.nodeType === Node.ELEMENT_NODE) translate(node);
          else if (node.nodeType === Node.TEXT_NODE && node.parentNode) translate(node.parentNode);
        }
        if (change.type === "characterData" && change.target.parentNode) translate(change.target.parentNode);
      }
    }).observe(element, { childList: true, subtree: true, characterData: true });
  }
  if (window.SwaggerUIBundle) {
    window.SwaggerUIBundle({ url: url, domNode: element, deepLinking: true });
  } else if (window.Redoc) {
    window.Redoc.init(url, { disableSearch: true }, element);  // its search runs in a blob: worker, which CSP forbids
  }
})();
