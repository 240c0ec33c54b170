// Renders /openapi.json as a readable page, with text nodes only (no innerHTML).
(function () {
  "use strict";
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  fetch("/openapi.json").then(function (r) { return r.json(); }).then(function (doc) {
    var root = document.getElementById("docs");
    root.textContent = "";
    root.appendChild(el("h1", doc.info.title + " " + doc.info.version));
    root.appendChild(el("p", doc.info.description));
    Object.keys(doc.paths).sort().forEach(function (path) {
      var item = doc.paths[path];
      Object.keys(item).forEach(function (method) {
        var op = item[method];
        var box = el("section", undefined, "op");
        var h = el("h2");
        h.appendChild(el("span", method, "method"));
        h.appendChild(el("code", path));
        box.appendChild(h);
        box.appendChild(el("p", op.summary || ""));
        if (op.description) box.appendChild(el("p", op.description));
        if (op.parameters && op.parameters.length) {
          var t = el("table");
          var head = el("tr");
          ["name", "in", "required", "description"].forEach(function (c) { head.appendChild(el("th", c)); });
          t.appendChild(head);
          op.parameters.forEach(function (p) {
            var tr = el("tr");
            [p.name, p["in"], p.required ? "yes" : "no", p.description || ""].forEach(function (c) { tr.appendChild(el("td", String(c))); });
            t.appendChild(tr);
          });
          box.appendChild(t);
        }
        Object.keys(op.responses || {}).forEach(function (code) {
          box.appendChild(el("p", code + ": " + (op.responses[code].description || "")));
        });
        root.appendChild(box);
      });
    });
  });
})();
