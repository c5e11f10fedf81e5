// On a narrow screen a table becomes a list: each cell is shown under its column's name. The names
// are copied from the table's header once, here; the CSS (solidaire.css, .stacked) does the rest.
(function () {
  "use strict";
  document.querySelectorAll("table").forEach(function (table) {
    var names = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    if (!names.length) { return; }
    table.querySelectorAll("tbody tr, tfoot tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, index) {
        if (names[index] && !cell.hasAttribute("data-label") && cell.tagName === "TD") {
          cell.setAttribute("data-label", names[index]);
        }
      });
    });
    table.classList.add("stacked");
  });
})();
