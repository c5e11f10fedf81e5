/* Live preview of a Markdown text area: the server renders it with the campaign page's own
   sanitiser (POST to data-preview-url with the CSRF token) and the region shows the result.
   Without JavaScript the region shows the text as last saved. No third-party code. */
(function () {
  "use strict";
  document.querySelectorAll("textarea[data-preview]").forEach(function (area) {
    var target = document.getElementById(area.getAttribute("data-preview"));
    var url = area.getAttribute("data-preview-url");
    var token = area.getAttribute("data-csrf");
    var timer = null;
    var last = null;
    if (!target || !url) { return; }
    function refresh() {
      var text = area.value;
      if (text === last) { return; }
      last = text;
      fetch(url, {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": token},
        body: JSON.stringify({text: text})
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (data) {
        if (data && text === area.value) { target.innerHTML = data.html; }  // HTML sanitised by the server
      }).catch(function () { last = null; });
    }
    area.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 350);
    });
  });
})();
