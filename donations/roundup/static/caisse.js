/* Solidaire — the till page (/caisse): one thumb, a keypad, the round-up, one tap to record it.
 *
 * The device keeps its till key and the merchant's rule in localStorage. Each round-up gets its
 * idempotent external_id when the cashier taps, joins a queue kept in localStorage, and is sent
 * (POST /api/v1/roundups) at once or, offline, when the connection returns: the API records each
 * external_id once, so a retry after a lost answer never counts twice. No third-party script.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var STORE = "solidaire.caisse.";
  var euros = new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" });
  var MAX_DIGITS = 7; // 99 999,99 €
  var state = { basket: 0, chosen: null, flushing: false };

  function $(id) { return document.getElementById(id); }
  function eur(cents) { return euros.format(cents / 100); }
  function load(name, fallback) {
    try { var value = JSON.parse(localStorage.getItem(STORE + name)); return value === null ? fallback : value; }
    catch (e) { return fallback; }
  }
  function save(name, value) {
    if (value === null) { localStorage.removeItem(STORE + name); }
    else { localStorage.setItem(STORE + name, JSON.stringify(value)); }
  }
  function key() { return load("key", null); }
  function queue() { return load("queue", []); }

  function api(method, path, body) {
    var init = { method: method, headers: { "Authorization": "Bearer " + key(), "Accept": "application/json" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch("/api/v1" + path, init).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    });
  }

  function newId() {
    var bytes = new Uint8Array(8);
    crypto.getRandomValues(bytes);
    var hex = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    return "caisse-" + Date.now().toString(36) + "-" + hex;
  }

  function plural(count, one, many) { return count + " " + (count > 1 ? many : one); }

  // --- set-up --------------------------------------------------------------------------------

  function showSetup(error) {
    $("till-main").hidden = true;
    $("till-setup").hidden = false;
    var field = $("setup-key"), message = $("setup-key-error");
    if (error) {
      message.textContent = error;
      message.hidden = false;
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", "setup-key-error");
      field.focus();
    } else {
      message.hidden = true;
      field.removeAttribute("aria-invalid");
      field.removeAttribute("aria-describedby");
    }
  }

  function setUp(candidate) {
    candidate = (candidate || "").trim();
    if (candidate.indexOf("mk_") !== 0) {
      showSetup("Une clé de caisse commence par « mk_ ».");
      return;
    }
    var previous = key();
    save("key", candidate);
    api("GET", "/merchant/till").then(function (answer) {
      if (answer.status === 200) {
        save("setup", answer.data);
        $("setup-key").value = "";
        showMain();
        flush();
      } else {
        save("key", previous);
        showSetup(answer.status === 401 ? "Cette clé n'est pas reconnue ou a été révoquée."
          : answer.status === 403 ? "Les arrondis de ce commerce sont suspendus." : "La caisse n'a pas pu être installée.");
      }
    }, function () {
      save("key", previous);
      showSetup("Pas de connexion : l'installation demande une connexion, une seule fois.");
    });
  }

  function refreshSetup() {
    if (!key() || !navigator.onLine) { return; }
    api("GET", "/merchant/till").then(function (answer) {
      if (answer.status === 200) { save("setup", answer.data); render(); }
      else if (answer.status === 401) { revoked(); }
    }, function () {});
  }

  function revoked() {
    save("setup", null);
    save("key", null);
    showSetup("Cette clé a été révoquée : installez une nouvelle clé de caisse.");
  }

  // --- the counter ---------------------------------------------------------------------------

  function setupData() { return load("setup", null); }

  function showMain() {
    $("till-setup").hidden = true;
    $("till-main").hidden = false;
    render();
  }

  function render() {
    var setup = setupData();
    if (!setup) { return; }
    $("till-merchant").textContent = setup.merchant.name;
    var names = setup.beneficiaries || [];
    $("till-beneficiaries").textContent = names.length ? "Les arrondis vont à : " + names.join(", ") + "." : "";
    $("basket").textContent = eur(state.basket);
    var quote = window.SolidaireRule.quote(setup.rule, state.basket);
    var amounts = quote.options.map(function (o) { return o.roundup_cents; });
    if (amounts.indexOf(state.chosen) === -1) { state.chosen = amounts.length ? amounts[0] : null; }
    var box = $("options");
    box.textContent = "";
    amounts.forEach(function (amount) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "till-option";
      button.setAttribute("aria-pressed", amount === state.chosen ? "true" : "false");
      button.textContent = "+ " + eur(amount);
      button.addEventListener("click", function () { state.chosen = amount; render(); });
      box.appendChild(button);
    });
    var record = $("record");
    if (state.basket === 0) {
      $("offer").textContent = "Saisissez le montant du panier.";
      record.disabled = true;
      record.textContent = "Le client accepte : enregistrer";
    } else if (state.chosen === null) {
      $("offer").textContent = "Pas d'arrondi pour ce montant.";
      record.disabled = true;
      record.textContent = "Le client accepte : enregistrer";
    } else {
      $("offer").textContent = "Arrondi " + eur(state.chosen) + " : le client paie " + eur(state.basket + state.chosen) + ".";
      record.disabled = false;
      record.textContent = "Le client accepte : enregistrer " + eur(state.chosen);
    }
    renderCounts();
    renderLast();
  }

  function renderCounts() {
    var setup = setupData(), today = (setup && setup.today) || { roundup_count: 0, roundups_cents: 0 };
    $("till-today").textContent = "Aujourd'hui : " + plural(today.roundup_count, "arrondi", "arrondis") + ", " +
      eur(today.roundups_cents) + ".";
    var items = queue(), refused = load("refused", 0), text = "";
    var waiting = items.filter(function (item) { return !item.void; }).length, voids = items.length - waiting;
    if (waiting) { text = plural(waiting, "arrondi attend", "arrondis attendent") + " la connexion pour être envoyés."; }
    if (voids) { text += (text ? " " : "") + plural(voids, "annulation attend", "annulations attendent") + " la connexion."; }
    if (refused) { text += (text ? " " : "") + plural(refused, "arrondi refusé", "arrondis refusés") + " par le serveur (règle changée ?)."; }
    $("till-waiting").textContent = text;
    $("till-waiting").hidden = !text;
    $("till-network").textContent = navigator.onLine ? "En ligne" : "Hors ligne : les arrondis sont gardés sur l'appareil";
  }

  function renderLast() {
    var last = load("last", null);
    $("last").hidden = !last;
    if (!last) { return; }
    var status = last.status === "voided" ? "annulé" : last.status === "sent" ? "enregistré" : "en attente d'envoi";
    $("last-text").textContent = eur(last.roundup_cents) + " sur un panier de " + eur(last.basket_cents) + " — " + status + ".";
    $("void").hidden = last.status === "voided" || !$("void-confirm").hidden;
    $("claim").hidden = last.status !== "sent";
    if (last.status !== "sent") { $("claim-box").hidden = true; }
  }

  function press(digit) {
    var digits = String(state.basket);
    if (state.basket === 0) { digits = ""; }
    if ((digits + digit).length > MAX_DIGITS) { return; }
    state.basket = parseInt(digits + digit, 10) || 0;
    state.chosen = null;
    render();
  }

  function recordTap() {
    var setup = setupData();
    if (!setup || state.basket === 0 || state.chosen === null) { return; }
    var item = {
      external_id: newId(), basket_cents: state.basket, roundup_cents: state.chosen,
      payment_method: document.querySelector("input[name=mode]:checked").value,
      occurred_at: new Date().toISOString()
    };
    var items = queue();
    items.push(item);
    save("queue", items);
    save("last", { external_id: item.external_id, basket_cents: item.basket_cents, roundup_cents: item.roundup_cents,
                   status: "waiting" });
    $("message").textContent = "Arrondi de " + eur(item.roundup_cents) + " enregistré. Merci !";
    state.basket = 0;
    state.chosen = null;
    $("claim-box").hidden = true;
    render();
    flush();
  }

  // Send the queue in order, one at a time; stop at the first network failure and retry later.
  function flush() {
    if (state.flushing || !key()) { return; }
    var items = queue();
    if (!items.length) { renderCounts(); return; }
    state.flushing = true;
    var item = items[0];
    var sent = item.void ? api("POST", "/roundups/" + encodeURIComponent(item.external_id) + "/void")
      : api("POST", "/roundups", item);
    sent.then(function (answer) {
      state.flushing = false;
      var rest = queue().filter(function (other) {
        return other.external_id !== item.external_id || !other.void !== !item.void;
      });
      if (answer.status === 401) { revoked(); return; }
      if (answer.status >= 500 || answer.status === 429 || answer.status === 403) { renderCounts(); return; }
      save("queue", rest);
      var last = load("last", null);
      if (item.void) {
        // Voided, or never recorded (404): either way nothing is left to give back.
      } else if (answer.status === 200 || answer.status === 201) {
        if (last && last.external_id === item.external_id && last.status === "waiting") {
          last.status = "sent";
          save("last", last);
        }
      } else {
        save("refused", load("refused", 0) + 1);
        if (last && last.external_id === item.external_id) { save("last", null); }
        refreshSetup();
      }
      refreshToday();
      flush();
    }, function () {
      state.flushing = false;
      renderCounts();
    });
  }

  function refreshToday() {
    api("GET", "/merchant/today").then(function (answer) {
      var setup = setupData();
      if (answer.status === 200 && setup) {
        setup.today = answer.data;
        save("setup", setup);
      }
      render();
    }, function () { render(); });
  }

  function askVoid() {
    $("void").hidden = true;
    $("void-confirm").hidden = false;
    $("void-yes").focus();
  }

  function closeVoid() {
    $("void-confirm").hidden = true;
    renderLast();
  }

  function voidLast() {
    var last = load("last", null);
    if (!last) { return; }
    var items = queue(), waiting = items.filter(function (item) { return item.external_id === last.external_id && !item.void; });
    if (waiting.length && !state.flushing) {
      // Never sent: it simply leaves the queue.
      save("queue", items.filter(function (item) { return item.external_id !== last.external_id; }));
      last.status = "voided";
      save("last", last);
      $("message").textContent = "Le dernier arrondi est annulé.";
      closeVoid();
      render();
      return;
    }
    api("POST", "/roundups/" + encodeURIComponent(last.external_id) + "/void").then(function (answer) {
      if (answer.status === 200) {
        last.status = "voided";
        save("last", last);
        $("message").textContent = "Le dernier arrondi est annulé.";
        refreshToday();
      } else {
        $("message").textContent = "L'annulation a été refusée (" + answer.status + ").";
      }
      closeVoid();
    }, function () {
      // Offline: the void waits in the queue and is sent, after what precedes it, when the connection returns.
      var pending = queue();
      pending.push({ external_id: last.external_id, void: true });
      save("queue", pending);
      last.status = "voided";
      save("last", last);
      $("message").textContent = "Le dernier arrondi est annulé (envoi au retour de la connexion).";
      closeVoid();
      render();
    });
  }

  function showClaim() {
    var last = load("last", null);
    if (!last || last.status !== "sent") { return; }
    api("GET", "/roundups/" + encodeURIComponent(last.external_id) + "/claim").then(function (answer) {
      if (answer.status !== 200) {
        $("message").textContent = answer.status === 409 ? "Ce reçu a déjà été demandé."
          : "Le QR code n'a pas pu être préparé.";
        return;
      }
      $("claim-qr").src = "data:image/svg+xml;base64," + btoa(answer.data.qr_svg);
      $("claim-link").href = answer.data.claim_url;
      $("claim-box").hidden = false;
    }, function () {
      $("message").textContent = "Pas de connexion : le QR code demande une connexion.";
    });
  }

  // A key scanned from its QR code arrives in the fragment (/caisse#cle=mk_...), which never reaches the server.
  function keyFromFragment() {
    var match = /[#&]cle=([^&]+)/.exec(location.hash);
    if (!match) { return false; }
    history.replaceState(null, "", location.pathname);
    setUp(decodeURIComponent(match[1]));
    return true;
  }

  function start() {
    if (keyFromFragment()) {
      // set up from the scanned key
    } else if (key() && setupData()) {
      showMain();
      refreshSetup();
      flush();
    } else {
      showSetup();
    }
    $("setup-form").addEventListener("submit", function (event) {
      event.preventDefault();
      setUp($("setup-key").value);
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-digit]"), function (button) {
      button.addEventListener("click", function () { press(button.getAttribute("data-digit")); });
    });
    document.querySelector("[data-clear]").addEventListener("click", function () {
      state.basket = 0; state.chosen = null; render();
    });
    document.querySelector("[data-back]").addEventListener("click", function () {
      state.basket = Math.floor(state.basket / 10); state.chosen = null; render();
    });
    $("record").addEventListener("click", recordTap);
    $("void").addEventListener("click", askVoid);
    $("void-no").addEventListener("click", closeVoid);
    $("void-yes").addEventListener("click", voidLast);
    $("claim").addEventListener("click", showClaim);
    $("forget").addEventListener("click", function () {
      if (queue().length && !window.confirm("Des arrondis attendent encore d'être envoyés. Retirer la clé quand même ?")) {
        return;
      }
      save("key", null); save("setup", null); save("queue", null); save("last", null); save("refused", null);
      showSetup();
    });
    window.addEventListener("hashchange", keyFromFragment);
    window.addEventListener("online", function () { renderCounts(); refreshSetup(); flush(); });
    window.addEventListener("offline", renderCounts);
    setInterval(flush, 20000);
    if ("serviceWorker" in navigator && script) {
      navigator.serviceWorker.register(script.getAttribute("data-worker"), { scope: script.getAttribute("data-scope") })
        .catch(function () {});
    }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
