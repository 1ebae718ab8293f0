// The roster on a phone: a tap saves the mark at once (fetch) and updates the row without a reload.
// Without JavaScript every button is an ordinary form submit, so the page works the same, only slower.
document.addEventListener("DOMContentLoaded", () => {
  const list = document.querySelector("ul.roster");
  if (!list || !window.fetch || !window.FormData) {
    return;
  }
  const errorText = list.dataset.errorText || "Not saved.";
  const counter = document.querySelector("[data-marked-count]");

  const updateCount = () => {
    if (counter) {
      counter.textContent = String(list.querySelectorAll(".roster-row[data-status]:not([data-status=''])").length);
    }
  };

  const showRow = (row, mark) => {
    row.dataset.status = mark.status;
    row.className = row.className.replace(/\bis-\w+\b/g, "").trim() + " is-" + mark.status;
    row.querySelectorAll("button.mark").forEach((button) => {
      button.setAttribute("aria-pressed", String(button.value === mark.status));
    });
    const label = row.querySelector("[data-mark-label]");
    if (label) {
      label.textContent = mark.label;
    }
    updateCount();
  };

  const send = async (form, status) => {
    const row = form.closest(".roster-row");
    const problem = form.querySelector("[data-row-error]");
    const data = new FormData(form);
    data.set("status", status);
    row.classList.add("is-saving");
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: {
          "Accept": "application/json",
          "X-Requested-With": "fetch",
          "X-CSRFToken": data.get("csrf_token") || "",
        },
      });
      const answer = await response.json().catch(() => ({}));
      if (!response.ok || !answer.ok) {
        throw new Error(answer.error || errorText);
      }
      showRow(row, answer.mark);
      if (problem) {
        problem.hidden = true;
      }
    } catch (error) {
      if (problem) {
        problem.textContent = error.message || errorText;
        problem.hidden = false;
      }
    } finally {
      row.classList.remove("is-saving");
    }
  };

  list.addEventListener("submit", (event) => {
    const form = event.target;
    const button = event.submitter;
    if (!form.classList.contains("mark-form") || !button || !button.value) {
      return;  // an old browser without event.submitter: let the form post normally
    }
    event.preventDefault();
    send(form, button.value);
  });

  // A note typed after the tap is saved with the row's current mark.
  list.addEventListener("change", (event) => {
    if (event.target.name !== "note") {
      return;
    }
    const form = event.target.form;
    const status = form.closest(".roster-row").dataset.status;
    if (status) {
      send(form, status);
    }
  });
});
