// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  document.documentElement.classList.add("js");
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.submit());
  }
  // Drop-down menus: one open at a time; a click outside or Escape closes them.
  const menus = [...document.querySelectorAll(".nav-group details, .user-menu")];
  const closeAll = (except) => menus.forEach((m) => { if (m !== except) m.open = false; });
  menus.forEach((menu) => menu.addEventListener("toggle", () => { if (menu.open) closeAll(menu); }));
  document.addEventListener("click", (event) => {
    if (!menus.some((m) => m.contains(event.target))) closeAll(null);
  });
  document.addEventListener("keydown", (event) => { if (event.key === "Escape") closeAll(null); });
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
  for (const bar of document.querySelectorAll("[data-job-url]")) {
    pollJob(bar);
  }
  for (const button of document.querySelectorAll("[data-copy]")) {
    button.addEventListener("click", () => {
      const target = document.getElementById(button.dataset.copy);
      if (target && navigator.clipboard) navigator.clipboard.writeText(target.textContent.trim());
    });
  }
});

function pollJob(box) {
  if (box.dataset.status === "done" || box.dataset.status === "failed") return;
  const url = box.dataset.jobUrl;
  const meter = box.querySelector("progress");
  const label = box.querySelector("[data-job-label]");
  const message = box.querySelector("[data-job-message]");
  const tick = async () => {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) return;
      const job = await response.json();
      meter.value = job.progress;
      label.textContent = job.progress + "%";
      if (message) message.textContent = job.message || "";
      box.dataset.status = job.status;
      if (job.finished) {
        if (box.dataset.reload !== undefined) window.location.reload();
        return;
      }
    } catch (e) { /* network hiccup: try again */ }
    window.setTimeout(tick, 1000);
  };
  window.setTimeout(tick, 500);
}
