(function () {
  var box = document.currentScript.previousElementSibling;
  if (!box || !box.querySelector) { return; }
  var table = box.querySelector("table.overview"), tbody = table.tBodies[0];
  var sev = box.querySelector("select[name=severity]"), rule = box.querySelector("select[name=rule]");
  var review = box.querySelector("select[name=review]");
  var who = box.querySelector("input[name=agency]"), shown = box.querySelector(".shown");
  box.querySelector(".filters").style.display = "";
  var state = {key: null, dir: 1};
  function apply() {
    var n = 0, rows = tbody.rows;
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i], ok = true;
      if (sev.value && Number(r.getAttribute("data-" + sev.value)) === 0) { ok = false; }
      if (review.value && Number(r.getAttribute("data-" + review.value)) === 0) { ok = false; }
      if (rule.value && (" " + r.getAttribute("data-rules") + " ").indexOf(" " + rule.value + " ") < 0) { ok = false; }
      if (who.value && r.getAttribute("data-agency").indexOf(who.value.trim()) < 0) { ok = false; }
      r.style.display = ok ? "" : "none";
      if (ok) { n++; }
    }
    shown.textContent = "显示 " + n + " / " + rows.length + " 个机关";
  }
  function sortBy(th) {
    var key = th.getAttribute("data-key"), num = th.getAttribute("data-type") === "num";
    var first = th.getAttribute("data-first") === "asc" ? 1 : (num ? -1 : 1);
    state.dir = state.key === key ? -state.dir : first;
    state.key = key;
    var rows = Array.prototype.slice.call(tbody.rows);
    rows.sort(function (a, b) {
      var x = a.getAttribute("data-" + key), y = b.getAttribute("data-" + key);
      if (num) { return state.dir * (Number(x) - Number(y)); }
      return state.dir * x.localeCompare(y, "zh");
    });
    rows.forEach(function (r) { tbody.appendChild(r); });
    var heads = table.tHead.rows[0].cells;
    for (var i = 0; i < heads.length; i++) {
      var mark = heads[i].querySelector(".mark");
      if (mark) { mark.textContent = heads[i] === th ? (state.dir > 0 ? " ▲" : " ▼") : ""; }
    }
  }
  var heads = table.tHead.rows[0].cells;
  for (var i = 0; i < heads.length; i++) {
    if (heads[i].getAttribute("data-key")) {
      heads[i].style.cursor = "pointer";
      heads[i].addEventListener("click", function (e) { sortBy(e.currentTarget); });
    }
  }
  [sev, rule, review].forEach(function (el) { el.addEventListener("change", apply); });
  who.addEventListener("input", apply);
  apply();
})();
