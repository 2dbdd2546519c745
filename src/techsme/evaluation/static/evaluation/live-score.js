// The live score of the filing form: after the user stops typing, post the form to the preview endpoint (which
// assesses WITHOUT saving) and show the returned explanation. Without JavaScript, saving shows the new score.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("filing-form");
  const box = document.getElementById("live-score");
  if (!form || !box || !form.dataset.previewUrl) return;
  let timer = null;
  let sequence = 0;
  const refresh = async () => {
    const mine = ++sequence;
    box.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(form.dataset.previewUrl, {
        method: "POST",
        body: new FormData(form),
        headers: { "X-Requested-With": "fetch" },
        credentials: "same-origin",
      });
      if (response.ok && mine === sequence) {
        box.innerHTML = await response.text();
      }
    } catch (e) { /* offline for a moment: the next change tries again */ }
    if (mine === sequence) box.removeAttribute("aria-busy");
  };
  const schedule = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  };
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
});
