// The criterion editor, made easier with scripts (everything also works without them): only the fields of
// the chosen requirement type are shown, and sent; a parameter's choice offers its units.
(function () {
  "use strict";
  var form = document.getElementById("criterion-form");
  if (!form) { return; }
  function byName(name) { return form.querySelector('[name="' + name + '"]'); }
  function showTypes(prefix) {
    var chosen = byName(prefix + ".type");
    var kind = chosen ? chosen.value : "";
    form.querySelectorAll('[data-for="' + prefix + '"]').forEach(function (row) {
      var on = row.getAttribute("data-types").split(" ").indexOf(kind) >= 0;
      var filled = Array.prototype.some.call(row.querySelectorAll("input, textarea, select"), function (el) {
        return el.value !== "" && el.getAttribute("aria-invalid") === "true";
      });
      on = on || filled; // a field with a problem stays visible, so its message can be read and fixed
      row.hidden = !on;
      row.querySelectorAll("input, textarea, select").forEach(function (el) { el.disabled = !on; });
    });
  }
  function offerUnits(select, prefix) {
    var list = document.getElementById("units-" + prefix.replace(/\./g, "-"));
    var option = select.options[select.selectedIndex];
    if (!list || !option) { return; }
    var units = (option.getAttribute("data-units") || "").split(" ").filter(Boolean);
    list.innerHTML = "";
    units.forEach(function (u) { var o = document.createElement("option"); o.value = u; list.appendChild(o); });
  }
  var prefixes = ["requirement"];
  form.querySelectorAll('select[name^="conditions."][name$=".type"]').forEach(function (el) {
    prefixes.push(el.name.slice(0, -".type".length));
  });
  prefixes.forEach(function (prefix) {
    var type = byName(prefix + ".type");
    if (type) { type.addEventListener("change", function () { showTypes(prefix); }); }
    showTypes(prefix);
    var parameter = byName(prefix === "requirement" ? "parameter" : prefix + ".parameter");
    if (parameter) { parameter.addEventListener("change", function () { offerUnits(parameter, prefix); }); }
  });
})();
