// Buttons marked data-print print the page (an inline onclick would break the CSP).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
