// What-if panel: post the changed figures to the partial endpoint (debounced) and show the result. No saving.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-what-if]");
  if (form) {
    const target = document.getElementById("what-if-result");
    let timer = null;
    let sequence = 0;
    const run = async () => {
      const mine = ++sequence;
      const response = await fetch(form.action, {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" },
      });
      if (mine !== sequence) return; // a later request is on its way
      target.innerHTML = await response.text();
    };
    form.addEventListener("input", () => { window.clearTimeout(timer); timer = window.setTimeout(run, 350); });
    form.addEventListener("submit", (event) => { event.preventDefault(); run(); });
  }
  // Scenario presets: fill the change rows.
  for (const button of document.querySelectorAll("[data-preset]")) {
    button.addEventListener("click", () => {
      const changes = JSON.parse(button.dataset.preset);
      const paths = document.querySelectorAll("select[name=path]");
      const values = document.querySelectorAll("input[name=value]");
      paths.forEach((select, i) => { select.value = ""; values[i].value = ""; });
      Object.entries(changes).forEach(([path, value], i) => {
        if (paths[i]) { paths[i].value = path; values[i].value = value; }
      });
      const name = document.getElementById("sc-name");
      if (name && !name.value) name.value = button.textContent.trim();
    });
  }
});
