// The verify result page: the 印刷 button prints the certificate (print styles in verification.css).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
