// Search without a server: load the prebuilt index (search/index.json and its
// shards) once, then match every word of the query in titles and text.
"use strict";
(function () {
  var root = document.querySelector("main").getAttribute("data-root");
  var input = document.getElementById("q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("results");
  var rows = null;

  function load() {
    status.textContent = status.getAttribute("data-loading");
    return fetch(root + "search/index.json").then(function (r) { return r.json(); })
      .then(function (index) {
        return Promise.all(index.shards.map(function (s) {
          return fetch(root + "search/" + s.file).then(function (r) { return r.json(); });
        }));
      })
      .then(function (shards) {
        rows = [];
        shards.forEach(function (shard) { rows = rows.concat(shard); });
        rows.sort(function (a, b) { return a[3] < b[3] ? 1 : a[3] > b[3] ? -1 : 0; });
        rows.forEach(function (row) { row.push((row[1] + " " + row[2]).toLowerCase()); });
      });
  }

  function show(query) {
    while (list.firstChild) list.removeChild(list.firstChild);
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.length) { status.textContent = ""; return; }
    var found = rows.filter(function (row) {
      return words.every(function (w) { return row[6].indexOf(w) !== -1; });
    });
    status.textContent = found.length ? found.length + "" : status.getAttribute("data-none");
    found.slice(0, 200).forEach(function (row) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = root + "a/" + row[0] + ".html";
      a.textContent = row[1];
      var meta = document.createElement("span");
      meta.className = "meta";
      meta.textContent = row[4] + " · " + row[3].slice(0, 10);
      li.appendChild(a);
      li.appendChild(meta);
      list.appendChild(li);
    });
  }

  var params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  var timer = null;
  load().then(function () { show(input.value); });
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      if (rows) show(input.value);
      history.replaceState(null, "", "?q=" + encodeURIComponent(input.value));
    }, 120);
  });
})();
