// The thanks page of a pending gift: asks every few seconds whether the bank has answered, and
// reloads the page when it has. (A file, not an inline script: the pages' CSP allows no inline script.)
(function () {
  var section = document.querySelector(".donation-thanks"), tries = 0;
  if (!section || section.dataset.status !== "pending") { return; }
  function poll() {
    fetch(section.dataset.giftUrl).then(function (r) { return r.json(); }).then(function (gift) {
      if (gift.status !== "pending") { window.location.reload(); }
      else if (++tries < 60) { setTimeout(poll, 2000); }
    }).catch(function () { if (++tries < 60) setTimeout(poll, 4000); });
  }
  setTimeout(poll, 1500);
})();
