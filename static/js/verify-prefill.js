// The QR code of the key notice opens /verify/?number=<number>#key=<key>. The number arrives in the
// query (the server fills it in); the key stays in the URL fragment, which browsers never send to a
// server, so it reaches no log. Fill it in here and drop it from the address bar and history.
(() => {
  const params = new URLSearchParams(window.location.hash.slice(1));
  const key = params.get("key");
  if (!key) return;
  const field = document.getElementById("id_auth_key");
  if (field) field.value = key;
  history.replaceState(null, "", window.location.pathname + window.location.search);
})();
