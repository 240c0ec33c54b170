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
    // Request bodies are pydantic models under components.schemas (service_catalog/http/schemas.py).
    function resolve(schema) {
      var ref = schema && schema.$ref;
      if (!ref) return schema || {};
      return (doc.components && doc.components.schemas && doc.components.schemas[ref.split("/").pop()]) || {};
    }
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
        var body = op.requestBody && op.requestBody.content && (op.requestBody.content["application/json"] || op.requestBody.content["application/x-www-form-urlencoded"]);
        var shape = body && resolve(body.schema);
        if (shape && shape.properties) {
          box.appendChild(el("p", "Body" + (op.requestBody.description ? ": " + op.requestBody.description : "")));
          var bt = el("table");
          var bh = el("tr");
          ["field", "type", "required", "description"].forEach(function (c) { bh.appendChild(el("th", c)); });
          bt.appendChild(bh);
          Object.keys(shape.properties).forEach(function (name) {
            var f = resolve(shape.properties[name]);
            var type = f.type || (f.anyOf || []).map(function (o) { return resolve(o).type || "object"; }).join(" | ") || (f["const"] !== undefined ? String(f["const"]) : "any");
            var tr = el("tr");
            [name, String(type), (shape.required || []).indexOf(name) >= 0 ? "yes" : "no", f.description || ""].forEach(function (c) { tr.appendChild(el("td", String(c))); });
            bt.appendChild(tr);
          });
          box.appendChild(bt);
        }
        Object.keys(op.responses || {}).forEach(function (code) {
          box.appendChild(el("p", code + ": " + (op.responses[code].description || "")));
        });
        root.appendChild(box);
      });
    });
  });
})();
