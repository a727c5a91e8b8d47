// The live fee quote on the amounts step: asks /applications/quote/ as the amount is typed.
(function () {
  "use strict";
  var form = document.querySelector("form[data-quote-url]");
  if (!form) { return; }
  var input = form.querySelector("[data-quote-amount]");
  var output = document.getElementById("fee-quote");
  if (!input || !output) { return; }
  var timer = null;
  var latest = 0;

  function yen(n) { return Number(n).toLocaleString("ja-JP"); }

  function show(data) {
    if (!data.ok) { output.textContent = data.message; return; }
    var text = "保証料 " + yen(data.total) + "円";
    if (data.discount > 0) {
      text += "（" + yen(data.base) + "円 − " + data.discount_label + " " + yen(data.discount) + "円）";
    }
    output.textContent = text;
  }

  function ask() {
    var params = new URLSearchParams({
      kind: form.dataset.kind || "",
      orderer: form.dataset.orderer || "",
      amount: input.value || ""
    });
    var ticket = ++latest;
    fetch(form.dataset.quoteUrl + "?" + params.toString(), {
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    })
      .then(function (response) { return response.json(); })
      .then(function (data) { if (ticket === latest) { show(data); } })
      .catch(function () { output.textContent = "保証料を表示できませんでした。"; });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 250);
  });
  if (input.value) { ask(); }
})();
