(function () {
  "use strict";
  function key(cell, numeric) {
    var v = cell.hasAttribute("data-v") ? cell.getAttribute("data-v") : cell.textContent;
    if (!numeric) { return v.toLowerCase(); }
    return v === "" ? null : Number(v);
  }
  // Empty cells sort last in either direction; ties keep the rank order.
  function compare(a, b, ascending) {
    if (a === null || b === null) { return (a === null) - (b === null); }
    if (a === b) { return 0; }
    return (a < b) === ascending ? -1 : 1;
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var numeric = th.getAttribute("data-type") === "num";
        // Each <tbody> is one entry (its figures and its detail line).
        var entries = Array.prototype.slice.call(table.tBodies);
        entries.sort(function (a, b) {
          var x = key(a.rows[0].cells[column], numeric);
          var y = key(b.rows[0].cells[column], numeric);
          return compare(x, y, ascending) ||
            Number(a.getAttribute("data-rank")) - Number(b.getAttribute("data-rank"));
        });
        entries.forEach(function (entry) { table.appendChild(entry); });
      });
    });
  });
  document.documentElement.className = "js";
}());
