// /docs (Swagger UI) and /redoc (ReDoc) on this server's OpenAPI description; both libraries come from the
// project's npm install (served under /vendor), never from a CDN.
(function () {
  "use strict";
  const element = document.getElementById("api-docs");
  const url = element.dataset.openapi;
  if (window.SwaggerUIBundle) {
    window.SwaggerUIBundle({ url: url, domNode: element, deepLinking: true });
  } else if (window.Redoc) {
    window.Redoc.init(url, { disableSearch: true }, element);  // its search runs in a blob: worker, which CSP forbids
  }
})();
