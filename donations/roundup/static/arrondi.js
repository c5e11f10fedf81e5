/* Solidaire — widget « arrondi solidaire » for a web shop's checkout.
 *
 *   <script src="https://SOLIDAIRE/widget/arrondi.js" data-merchant="SLUG" defer></script>
 *   <form ...> <div data-arrondi data-basket-cents="2745"></div> ... </form>
 *
 * The widget offers the merchant's rule (read from Solidaire, no key in the page) and writes the
 * customer's choice into a hidden field `arrondi_cents` of the enclosing form (another name with
 * data-field="..."). The shop's own back end then records it with its secret key
 * (POST /api/v1/roundups). It also fires a `solidaire:arrondi` event with
 * {basket_cents, roundup_cents, total_cents}. Change data-basket-cents and the offer follows.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var base = new URL(script.src, document.baseURI).origin;
  var slug = script.getAttribute("data-merchant");
  var euros = new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" });
  var counter = 0;

  function eur(cents) { return euros.format(cents / 100); }

  // The same rule as the server's (donations/roundup/services/rules.py).
  function options(rule, basket) {
    var step = rule.rounding_step_cents, rest = basket % step;
    var plain = rest ? step - rest : (rule.round_exact_baskets ? step : 0);
    var amounts = [plain].concat((rule.top_ups_cents || []).slice().sort(function (a, b) { return a - b; })
      .map(function (t) { return plain + t; }));
    return amounts.filter(function (amount, index) {
      return amount > 0 && amounts.indexOf(amount) === index &&
        (rule.max_roundup_cents === null || amount <= rule.max_roundup_cents);
    });
  }

  function beneficiaries(rule) {
    var names = rule.beneficiaries || [];
    if (names.length <= 1) { return names.join(""); }
    return names.slice(0, -1).join(", ") + " et " + names[names.length - 1];
  }

  function hiddenField(box) {
    var form = box.closest("form");
    var name = box.getAttribute("data-field") || "arrondi_cents";
    var field = form ? form.querySelector('input[type=hidden][name="' + name + '"]') : null;
    if (form && !field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = name;
      form.appendChild(field);
    }
    return field;
  }

  function choose(box, basket, amount) {
    var field = hiddenField(box);
    if (field) { field.value = String(amount); }
    box.dispatchEvent(new CustomEvent("solidaire:arrondi", { bubbles: true, detail: {
      basket_cents: basket, roundup_cents: amount, total_cents: basket + amount } }));
  }

  function render(box, rule) {
    var basket = parseInt(box.getAttribute("data-basket-cents"), 10);
    box.textContent = "";
    if (!(basket >= 0)) { return; }
    var amounts = options(rule, basket);
    choose(box, basket, 0);
    if (!amounts.length) { return; }
    var group = "arrondi-" + (++counter);
    var fieldset = document.createElement("fieldset");
    fieldset.className = "solidaire-arrondi";
    var legend = document.createElement("legend");
    legend.textContent = "Arrondi solidaire avec " + rule.merchant;
    fieldset.appendChild(legend);
    var choices = [0].concat(amounts);
    choices.forEach(function (amount) {
      var label = document.createElement("label");
      var input = document.createElement("input");
      input.type = "radio";
      input.name = group;
      input.value = String(amount);
      input.checked = amount === 0;
      input.addEventListener("change", function () { if (input.checked) { choose(box, basket, amount); } });
      label.appendChild(input);
      label.appendChild(document.createTextNode(" " + (amount === 0 ? "Non merci, pas d'arrondi" :
        "Arrondir à " + eur(basket + amount) + " (+" + eur(amount) + ") au profit de " + beneficiaries(rule))));
      fieldset.appendChild(label);
    });
    var note = document.createElement("p");
    note.className = "solidaire-arrondi-note";
    note.textContent = "Le montant de l'arrondi est reversé en totalité aux bénéficiaires, au centime près.";
    fieldset.appendChild(note);
    box.appendChild(fieldset);
  }

  function start(rule) {
    var boxes = document.querySelectorAll("[data-arrondi]");
    Array.prototype.forEach.call(boxes, function (box) {
      render(box, rule);
      new MutationObserver(function () { render(box, rule); })
        .observe(box, { attributes: true, attributeFilter: ["data-basket-cents"] });
    });
  }

  var style = document.createElement("style");
  style.textContent = ".solidaire-arrondi{border:1px solid #b7dcc6;border-radius:8px;padding:.75rem 1rem;margin:1rem 0}" +
    ".solidaire-arrondi label{display:flex;gap:.5rem;align-items:flex-start;padding:.35rem 0;cursor:pointer}" +
    ".solidaire-arrondi input[type=radio]{width:auto;margin:.3rem 0 0;flex:none}" +
    ".solidaire-arrondi-note{font-size:.85em;color:#5b6478;margin:.5rem 0 0}";
  document.head.appendChild(style);

  fetch(base + "/widget/arrondi/" + encodeURIComponent(slug) + ".json")
    .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
    .then(function (rule) {
      if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", function () { start(rule); });
      } else { start(rule); }
    })
    .catch(function () { /* no offer rather than a broken checkout */ });
})();
