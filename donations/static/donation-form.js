// The donation form: amount and tax-reduction preview, then Stripe: the card is saved with a
// SetupIntent, the server charges it, and the page completes 3-D Secure when the bank asks.
(function () {
  "use strict";
  var form = document.getElementById("donation-form");
  if (!form || typeof Stripe === "undefined") { return; }
  var stripe = Stripe(form.dataset.publishableKey);
  var card = stripe.elements().create("card");
  card.mount("#card-element");
  var errorBox = document.getElementById("donation-error");
  var submit = document.getElementById("donation-submit");
  var amountInput = document.getElementById("don-montant");
  var preview = document.getElementById("tax-preview");
  var idempotencyKey = null;
  var euros = new Intl.NumberFormat("fr-FR", {style: "currency", currency: "EUR"});

  function amountCents() {
    var text = (amountInput.value || "").replace(/\s/g, "").replace(",", ".");
    if (!/^\d+(\.\d{1,2})?$/.test(text)) { return null; }
    var parts = text.split(".");
    return parseInt(parts[0], 10) * 100 + (parts[1] ? parseInt((parts[1] + "0").slice(0, 2), 10) : 0);
  }
  function value(name) {
    var field = form.elements[name];
    return field ? (field.value || "").trim() : "";
  }
  function checked(name) {
    var field = form.querySelector("input[name='" + name + "']:checked");
    return field ? field.value : "";
  }
  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    submit.disabled = false;
    errorBox.scrollIntoView({block: "center"});
  }

  var previewTimer = null;
  function refresh() {
    var cents = amountCents();
    document.getElementById("donation-submit-amount").textContent = cents ? euros.format(cents / 100) : "";
    idempotencyKey = null;  // a different gift: a new key
    clearTimeout(previewTimer);
    previewTimer = setTimeout(function () { updatePreview(cents); }, 250);
  }
  function rewardValueCents() {
    var tier = form.querySelector("input[name='reward_tier_id']:checked");
    return tier && tier.value ? parseInt(tier.dataset.fairValue || "0", 10) : 0;
  }
  // The receipt carries the gift minus the reward's fair value (BOI-IR-RICI-250-10-20-10): the
  // simulator is asked for exactly that. No date is sent: the gift is received today, and the
  // server takes today's rules in Europe/Paris (a page left open past midnight stays right).
  function updatePreview(cents) {
    if (!cents || checked("receipt_choice") === "none") { preview.hidden = true; return; }
    var reward = rewardValueCents();
    if (reward > cents) { preview.hidden = true; return; }  // below the reward's minimum: the form says so
    var url = "/api/v1/tax-reduction?amount_cents=" + cents + "&donor_type=" + checked("donor_type") +
      "&organization=" + encodeURIComponent(form.dataset.organization) + "&counterpart_cents=" + reward;
    fetch(url).then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (t) {
        var text = "";
        if (t.counterpart_cents && t.eligible_cents) {
          text = "La contrepartie vaut " + euros.format(t.counterpart_cents / 100) + " : le reçu fiscal portera " +
            euros.format(t.eligible_cents / 100) + ". ";
        }
        if (t.reduction_cents) {
          text += "Après réduction d'impôt de " + t.rate_percent + " %, ce don ne vous coûte que " +
            euros.format(t.net_cost_cents / 100) + " (réduction de " + euros.format(t.reduction_cents / 100) + ").";
        } else {
          text += (t.notes && t.notes[0]) || "Ce don n'ouvre pas droit à réduction d'impôt.";
        }
        preview.textContent = text;
        preview.hidden = false;
      })
      .catch(function () { preview.hidden = true; });
  }

  form.querySelectorAll("input[name='preset']").forEach(function (radio) {
    radio.addEventListener("change", function () {
      if (radio.value !== "free") { amountInput.value = (parseInt(radio.value, 10) / 100).toString(); }
      else { amountInput.focus(); }
      refresh();
    });
  });
  amountInput.addEventListener("input", function () {
    var free = form.querySelector("input[name='preset'][value='free']");
    if (free) { free.checked = true; }
    refresh();
  });
  form.querySelectorAll("input[name='reward_tier_id']").forEach(function (radio) {
    radio.addEventListener("change", refresh);
  });
  form.querySelectorAll("input[name='donor_type'], input[name='receipt_choice']").forEach(function (radio) {
    radio.addEventListener("change", function () {
      form.querySelector(".company-fields").hidden = checked("donor_type") !== "company";
      refresh();
    });
  });

  function problemText(body) {
    if (body && body.errors) {
      return Object.keys(body.errors).map(function (k) { return k + " : " + [].concat(body.errors[k]).join(", "); })
        .join(" ; ");
    }
    return (body && (body.detail || body.title)) || "Le don n'a pas pu être enregistré.";
  }
  function postJSON(url, data, headers) {
    return fetch(url, {method: "POST", headers: Object.assign({"Content-Type": "application/json"}, headers || {}),
                       body: JSON.stringify(data)})
      .then(function (r) { return r.json().catch(function () { return {}; }).then(function (b) {
        if (!r.ok) { throw new Error(problemText(b)); } return b; }); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    errorBox.hidden = true;
    var cents = amountCents();
    if (!cents) { showError("Indiquez un montant en euros, par exemple 25 ou 12,50."); return; }
    submit.disabled = true;
    idempotencyKey = idempotencyKey || (window.crypto && crypto.randomUUID ? crypto.randomUUID() :
      String(Date.now()) + Math.random());
    var gift = {amount_cents: cents, donor_type: checked("donor_type"), receipt_choice: checked("receipt_choice") ||
      value("receipt_choice"), monthly: form.elements.monthly.checked, anonymous: form.elements.anonymous.checked,
      public_message: value("public_message")};
    var tier = checked("reward_tier_id");
    if (tier) { gift.reward_tier_id = parseInt(tier, 10); }
    ["first_name", "last_name", "email", "address_line1", "address_line2", "postal_code", "city"].forEach(
      function (name) { gift[name] = value(name); });
    if (gift.donor_type === "company") {
      ["company_name", "company_legal_form", "company_siren"].forEach(function (n) { gift[n] = value(n); });
    }
    var started;
    postJSON("/api/v1/campaigns/" + form.dataset.campaign + "/donations", gift, {"Idempotency-Key": idempotencyKey})
      .then(function (answer) {
        started = answer;
        if (answer.kind !== "setup_intent") { return {}; }
        return stripe.confirmCardSetup(answer.client_secret, {payment_method: {card: card,
          billing_details: {name: (gift.first_name + " " + gift.last_name).trim(), email: gift.email}}});
      })
      .then(function (result) {
        if (result.error) { throw new Error(result.error.message || "La carte a été refusée."); }
        var method = result.setupIntent ? result.setupIntent.payment_method : undefined;
        return postJSON("/api/v1/donations/" + started.id + "/confirm", {token: started.token, payment_method: method});
      })
      .then(function (step) {
        if (step.client_secret) {
          return stripe.confirmCardPayment(step.client_secret).then(function (r) {
            if (r.error) { throw new Error(r.error.message || "L'authentification a échoué."); }
          });
        }
        if (step.status === "failed") { throw new Error(step.failure_reason || "Le paiement a été refusé."); }
      })
      .then(function () { window.location.assign(started.thanks_url); })
      .catch(function (error) { showError(error.message); });
  });
  refresh();
})();
