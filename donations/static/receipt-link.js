// The thanks page of a confirmed gift whose receipt is not issued yet: asks every few seconds whether
// it exists, and puts its link in place when it does (the receipt is issued within the minute).
(function () {
  var place = document.querySelector("[data-receipt-poll]"), tries = 0;
  if (!place) { return; }
  function show(url) {
    var link = document.createElement("a");
    link.href = url;
    link.textContent = "Télécharger votre reçu fiscal (PDF)";
    place.textContent = "Votre reçu fiscal est prêt : ";
    place.appendChild(link);
  }
  function poll() {
    fetch(place.dataset.receiptPoll, {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (answer) {
        if (answer.receipt_url) { show(answer.receipt_url); }
        else if (++tries < 90) { setTimeout(poll, 3000); }
      }).catch(function () { if (++tries < 90) setTimeout(poll, 6000); });
  }
  setTimeout(poll, 2000);
})();
