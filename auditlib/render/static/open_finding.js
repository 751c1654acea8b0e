(function () {
  var box = document.currentScript.previousElementSibling;
  if (!box || !box.querySelectorAll) { return; }
  var links = box.querySelectorAll("a.deduction-link");
  for (var i = 0; i < links.length; i++) {
    links[i].addEventListener("click", function (e) {
      var target = document.getElementById(e.currentTarget.getAttribute("href").slice(1));
      if (target && target.tagName === "DETAILS") { target.open = true; }
    });
  }
})();
