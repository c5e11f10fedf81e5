// The donation form: amount and tax-reduction preview, then Stripe: the card is saved with a
// SetupIntent, the server charges it, and the page completes 3-D Secure when the bank asks.
(function () {
  "use strict";
  var form = document.getElementById("donation-form");
  if (!form || typeof Stripe === "undefined") { return; }
  // Stripe.js speaks French to the donor, and acts on the organization's own account (direct charges).
  var options = {locale: "fr"};
  if (form.dataset.stripeAccount) options.stripeAccount = form.dataset.stripeAccount;
  var stripe = Stripe(form.dataset.publishableKey, options);
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

  // The API names the fields it refuses (in English, for programs); the donor reads a French
  // sentence next to the field itself, announced by its aria-describedby.
  var FIELD_INPUT = {amount_cents: "amount"};
  var FIELD_MESSAGES = {
    email: "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.",
    first_name: "Indiquez votre prénom : il figure sur le reçu fiscal.",
    last_name: "Indiquez votre nom : il figure sur le reçu fiscal.",
    address_line1: "Indiquez votre adresse : elle figure sur le reçu fiscal.",
    postal_code: "Indiquez votre code postal.",
    city: "Indiquez votre ville.",
    company_name: "Indiquez la raison sociale de l'entreprise.",
    company_legal_form: "Indiquez la forme juridique de l'entreprise (SARL, SAS, association…).",
    company_siren: "Indiquez le SIREN de l'entreprise : 9 chiffres.",
    reward_tier_id: "Cette contrepartie n'est plus disponible, ou demande un don plus élevé.",
    public_message: "Ce message est trop long.",
    payment_method_type: "Le prélèvement SEPA est réservé aux dons mensuels et aux dons ponctuels importants : choisissez la carte.",
    iban: "Indiquez l'IBAN du compte à prélever (FR76…).",
  };
  function fieldMessage(name) {
    if (name === "amount_cents") {
      var cents = amountCents(), minimum = parseInt(form.dataset.min, 10) || 0;
      return cents !== null && cents < minimum ? "Le don minimum est de " + euros.format(minimum / 100) + "."
        : "Indiquez un montant en euros, par exemple 25 ou 12,50, dans la limite des dons acceptés en ligne.";
    }
    return FIELD_MESSAGES[name] || "Vérifiez ce champ.";
  }
  function clearFieldErrors() {
    form.querySelectorAll(".field-error").forEach(function (p) { p.remove(); });
    form.querySelectorAll("[aria-invalid='true']").forEach(function (input) {
      input.removeAttribute("aria-invalid");
      var kept = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
        return id && id.indexOf("erreur-") !== 0; }).join(" ");
      if (kept) { input.setAttribute("aria-describedby", kept); } else { input.removeAttribute("aria-describedby"); }
    });
  }
  function showFieldErrors(errors) {
    var first = null, unplaced = [];
    Object.keys(errors).forEach(function (name) {
      var input = form.elements[FIELD_INPUT[name] || name];
      if (input && input.length && !input.tagName) { input = input[0]; }  // a radio group: its first radio
      if (!input || !input.tagName) { unplaced.push(fieldMessage(name)); return; }
      var note = document.createElement("p");
      note.className = "field-error";
      note.id = "erreur-" + input.name;
      note.textContent = fieldMessage(name);
      (input.type === "radio" ? input.closest("fieldset") || input.parentNode : input).insertAdjacentElement(
        input.type === "radio" ? "beforeend" : "afterend", note);
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", ((input.getAttribute("aria-describedby") || "") + " " + note.id).trim());
      first = first || input;
    });
    showError(unplaced.length ? unplaced.join(" ") : "Le don n'est pas encore enregistré : vérifiez les champs signalés.");
    if (first) { first.focus(); }
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
          text += "Après réduction d'impôt de " + t.rate_percent + "\u00a0%, ce don ne vous coûte que " +
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
  // A reward needs its minimum gift: choosing one raises a smaller amount to that minimum (and checks
  // the amount's button when there is one), so the donor never meets the refusal on submitting.
  function setAmount(cents) {
    amountInput.value = cents % 100 ? (cents / 100).toFixed(2).replace(".", ",") : String(cents / 100);
    var preset = form.querySelector("input[name='preset'][value='" + cents + "']") ||
      form.querySelector("input[name='preset'][value='free']");
    if (preset) { preset.checked = true; }
  }
  form.querySelectorAll("input[name='reward_tier_id']").forEach(function (radio) {
    radio.addEventListener("change", function () {
      var minimum = parseInt(radio.dataset.min || "0", 10), cents = amountCents();
      if (radio.value && minimum && (cents === null || cents < minimum)) { setAmount(minimum); }
      refresh();
    });
  });
  form.querySelectorAll("input[name='payment_method_type']").forEach(function (radio) {
    radio.addEventListener("change", function () {
      var debit = checked("payment_method_type") === "sepa_debit";
      form.querySelector(".card-fields").hidden = debit;
      form.querySelector(".sepa-fields").hidden = !debit;
    });
  });
  form.querySelectorAll("input[name='donor_type'], input[name='receipt_choice']").forEach(function (radio) {
    radio.addEventListener("change", function () {
      form.querySelector(".company-fields").hidden = checked("donor_type") !== "company";
      refresh();
    });
  });

  function problemText(body) {
    // The API's own words are for programs: the donor reads French.
    var status = body && body.status;
    if (status === 429) { return "Trop de tentatives d'affilée : réessayez dans une minute."; }
    if (status === 409) { return "Ce don a changé depuis votre première tentative : rechargez la page pour recommencer."; }
    if (status >= 500) { return "Le service de paiement ne répond pas pour le moment : réessayez dans un instant."; }
    return "Le don n'a pas pu être enregistré : vérifiez le formulaire et réessayez.";
  }
  function postJSON(url, data, headers) {
    return fetch(url, {method: "POST", headers: Object.assign({"Content-Type": "application/json"}, headers || {}),
                       body: JSON.stringify(data)})
      .then(function (r) { return r.json().catch(function () { return {}; }).then(function (b) {
        if (!r.ok) { var error = new Error(problemText(b)); error.problem = b; throw error; } return b; }); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    errorBox.hidden = true;
    clearFieldErrors();
    var cents = amountCents();
    if (!cents) { showError("Indiquez un montant en euros, par exemple 25 ou 12,50."); return; }
    var debit = checked("payment_method_type") === "sepa_debit";
    if (debit && !value("iban")) { showFieldErrors({iban: ["required"]}); return; }
    submit.disabled = true;
    idempotencyKey = idempotencyKey || (window.crypto && crypto.randomUUID ? crypto.randomUUID() :
      String(Date.now()) + Math.random());
    var gift = {amount_cents: cents, donor_type: checked("donor_type"), receipt_choice: checked("receipt_choice") ||
      value("receipt_choice"), monthly: form.elements.monthly.checked, anonymous: form.elements.anonymous.checked,
      news_consent: !!(form.elements.news_consent && form.elements.news_consent.checked),
      public_message: value("public_message"), payment_method_type: debit ? "sepa_debit" : "card"};
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
        var holder = {name: (gift.first_name + " " + gift.last_name).trim(), email: gift.email};
        if (debit) {  // the IBAN goes to Stripe only, with the mandate the form shows
          return stripe.confirmSepaDebitSetup(answer.client_secret, {payment_method: {
            sepa_debit: {iban: value("iban").replace(/\s/g, "")}, billing_details: holder}});
        }
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
      .catch(function (error) {
        if (error.problem && error.problem.errors) { showFieldErrors(error.problem.errors); }
        else { showError(error.message); }
      });
  });
  refresh();
})();
