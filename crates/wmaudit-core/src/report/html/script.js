// Draws each account's findings table from the JSON in the page, 200 rows
// at a time, with a text filter and a severity filter. Data is inserted
// with textContent only: nothing from the account becomes markup.
(function () {
  "use strict";
  window.addEventListener("error", function () {
    document.body.setAttribute("data-status", "error");
  });
  var SEV = ["critical", "high", "medium", "low", "info"];
  var PAGE = 200;
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  document.querySelectorAll("section.account").forEach(function (sec) {
    var data = JSON.parse(document.getElementById(sec.getAttribute("data-data")).textContent);
    var q = sec.querySelector("input.q");
    var sev = sec.querySelector("select.sev");
    var body = sec.querySelector("tbody.rows");
    var shown = sec.querySelector(".shown");
    var prev = sec.querySelector("button.prev");
    var next = sec.querySelector("button.next");
    var page = 0;
    function matches(f, words, max) {
      if (f[0] > max) return false;
      if (!words.length) return true;
      var hay = (data.rules[f[1]] + " " + f[2] + " " + f[3] + " " + f[4]).toLowerCase();
      return words.every(function (w) { return hay.indexOf(w) >= 0; });
    }
    function draw() {
      var words = q.value.toLowerCase().split(/\s+/).filter(Boolean);
      var max = Number(sev.value);
      var rows = data.findings.filter(function (f) { return matches(f, words, max); });
      var pages = Math.max(1, Math.ceil(rows.length / PAGE));
      if (page >= pages) page = pages - 1;
      var from = page * PAGE;
      var part = rows.slice(from, from + PAGE);
      var frag = document.createDocumentFragment();
      part.forEach(function (f) {
        var tr = el("tr");
        tr.appendChild(el("td", "sev-" + SEV[f[0]], SEV[f[0]]));
        var rule = el("td");
        rule.appendChild(el("code", "", data.rules[f[1]]));
        tr.appendChild(rule);
        tr.appendChild(el("td", "", f[2]));
        var what = el("td", "", f[3]);
        if (f[4]) what.appendChild(el("span", "via", f[4]));
        if (f[5].length) what.appendChild(el("pre", "fix", f[5].join("\n")));
        tr.appendChild(what);
        frag.appendChild(tr);
      });
      body.replaceChildren(frag);
      shown.textContent = rows.length
        ? (from + 1) + "–" + (from + part.length) + " of " + rows.length + " findings"
        : "no findings match";
      prev.disabled = page === 0;
      next.disabled = page + 1 >= pages;
      sec.setAttribute("data-rendered", String(part.length));
      sec.setAttribute("data-matching", String(rows.length));
    }
    q.addEventListener("input", function () { page = 0; draw(); });
    sev.addEventListener("change", function () { page = 0; draw(); });
    prev.addEventListener("click", function () { page -= 1; draw(); });
    next.addEventListener("click", function () { page += 1; draw(); });
    // `page.html#q=user/erin` opens with that filter (a link to share).
    var hash = /^#q=(.*)$/.exec(window.location.hash);
    if (hash) q.value = decodeURIComponent(hash[1]);
    sec.querySelectorAll("a.who").forEach(function (a) {
      a.addEventListener("click", function () {
        q.value = a.getAttribute("data-who");
        page = 0;
        draw();
      });
    });
    draw();
  });
  if (document.body.getAttribute("data-status") === "loading") {
    document.body.setAttribute("data-status", "ready");
  }
})();
