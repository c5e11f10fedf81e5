/* Solidaire — the rounding rule of a merchant, as the till computes it (also offline).
 * The same arithmetic as donations/roundup/services/rules.py (roundup_options, quote); the tests
 * compare both on a table of baskets. Integer cents only. */
(function (root) {
  "use strict";

  function plainRounding(rule, basket) {
    var step = rule.rounding_step_cents, rest = basket % step;
    if (rest) { return step - rest; }
    return rule.round_exact_baskets ? step : 0;
  }

  // Every round-up the rule allows for this basket, smallest first (the plain rounding first).
  function options(rule, basket) {
    var base = plainRounding(rule, basket);
    var topUps = (rule.top_ups_cents || []).slice().sort(function (a, b) { return a - b; });
    var found = [];
    [base].concat(topUps.map(function (t) { return base + t; })).forEach(function (amount) {
      if (amount <= 0 || found.indexOf(amount) !== -1) { return; }
      if (rule.max_roundup_cents !== null && rule.max_roundup_cents !== undefined &&
          amount > rule.max_roundup_cents) { return; }
      found.push(amount);
    });
    return found;
  }

  function quote(rule, basket) {
    var allowed = options(rule, basket), plain = plainRounding(rule, basket);
    plain = allowed.indexOf(plain) !== -1 ? plain : 0;
    return {
      basket_cents: basket, roundup_cents: plain, total_cents: basket + plain,
      options: allowed.map(function (amount) { return { roundup_cents: amount, total_cents: basket + amount }; })
    };
  }

  root.SolidaireRule = { options: options, quote: quote };
})(typeof self !== "undefined" ? self : this);
