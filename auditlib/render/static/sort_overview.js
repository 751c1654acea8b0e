(function () {
  var box = document.currentScript.previousElementSibling;
  if (!box || !box.querySelector) { return; }
  var table = box.querySelector("table.overview"), tbody = table.tBodies[0];
  var grid = box.querySelector("table.heatmap"), shown = box.querySelector(".shown");
  function pick(name) { return box.querySelector(".filters [name=" + name + "]"); }
  var year = pick("year"), level = pick("level"), sev = pick("severity"), rule = pick("rule");
  var review = pick("review"), who = pick("agency");
  box.querySelector(".filters").style.display = "";
  var state = {key: null, dir: 1, rule: "", level: level.value};
  // one condition for the rows of the table and of the grid: both carry the same data-* attributes
  function keep(r) {
    var y = r.getAttribute("data-year");
    if (year.value && y && y !== year.value) { return false; }
    if (level.value && r.getAttribute("data-level") !== level.value) { return false; }
    if (sev.value && Number(r.getAttribute("data-" + sev.value)) === 0) { return false; }
    if (review.value && Number(r.getAttribute("data-" + review.value)) === 0) { return false; }
    if (rule.value && (" " + r.getAttribute("data-rules") + " ").indexOf(" " + rule.value + " ") < 0) { return false; }
    if (who.value.trim() && r.getAttribute("data-who").indexOf(who.value.trim()) < 0) { return false; }
    return true;
  }
  function apply() {
    var n = 0, rows = tbody.rows, rankKey = level.value ? "data-level-rank" : "data-year-rank";
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i], ok = keep(r), rank = r.getAttribute(rankKey);
      r.setAttribute("data-rank", rank);  // within the year (and the level when one is chosen)
      r.querySelector("td.rank").textContent = rank === "999999" ? "—" : rank;
      r.style.display = ok ? "" : "none";
      if (ok) { n++; }
    }
    if (grid) {
      var cells = grid.tBodies[0].rows;
      for (var j = 0; j < cells.length; j++) { cells[j].style.display = keep(cells[j]) ? "" : "none"; }
      var heads = grid.tHead.rows[0].cells;  // a rule column only while the rule is all or chosen
      for (var k = 1; k < heads.length && rule.value !== state.rule; k++) {
        var on = !rule.value || heads[k].getAttribute("data-rule") === rule.value;
        heads[k].style.display = on ? "" : "none";
        for (var m = 0; m < cells.length; m++) { cells[m].cells[k].style.display = on ? "" : "none"; }
      }
      state.rule = rule.value;  // the columns change only with the rule: 2,000 rows × every rule otherwise
    }
    var what = (year.value ? year.value + " 年度" : "全部年度") + (level.value ? " · " + level.value : "");
    shown.textContent = what + "：共 " + n + " 个机关" + (n < rows.length ? "（全部 " + rows.length + " 份报告）" : "");
    // the ranks change with the level only (the page comes sorted by the rank within the year)
    if ((state.key === null || state.key === "rank") && level.value !== state.level) { resort(); }
    state.level = level.value;
  }
  function resort() {
    var key = state.key || "rank", dir = state.key ? state.dir : 1, num = true;
    var th = table.querySelector("th[data-key=" + key + "]");
    if (th) { num = th.getAttribute("data-type") === "num"; key = th.getAttribute("data-sort") || key; }
    var rows = Array.prototype.slice.call(tbody.rows);
    rows.sort(function (a, b) {
      var x = a.getAttribute("data-" + key), y = b.getAttribute("data-" + key);
      if (num) { return dir * (Number(x) - Number(y)); }
      return dir * x.localeCompare(y, "zh");
    });
    rows.forEach(function (r) { tbody.appendChild(r); });
  }
  function sortBy(th) {
    var key = th.getAttribute("data-key"), num = th.getAttribute("data-type") === "num";
    var first = th.getAttribute("data-first") === "asc" ? 1 : (num ? -1 : 1);
    state.dir = state.key === key ? -state.dir : first;
    state.key = key;
    resort();
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
  [year, level, sev, rule, review].forEach(function (el) { el.addEventListener("change", apply); });
  who.addEventListener("input", apply);
  apply();
})();
