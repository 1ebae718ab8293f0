// The person search box (templates/_person_picker.html): as one types, suggestions come from the people
// lookup (a debounced fetch) into the box's datalist; picking one puts that person's id in the hidden input.
// Typing anything else clears the id, so the server reads the text instead (an email address, or a name).
// Without JavaScript the box is a plain text field and the server does all of it.
(() => {
  if (window.personPickerLoaded) {
    return; // each search box includes this file; one copy does all of them
  }
  window.personPickerLoaded = true;

  const WAIT_MS = 250;
  const MIN_CHARS = 2;

  const setUp = (picker) => {
    const box = picker.querySelector('input[type="search"]');
    const hidden = picker.querySelector("input[data-person-id]");
    const list = picker.querySelector("datalist");
    if (!box || !hidden || !list || picker.dataset.ready) {
      return;
    }
    picker.dataset.ready = "1";
    let timer = null;
    let controller = null;
    let asked = "";

    const idOf = (text) => {
      const match = Array.from(list.options).find((option) => option.value === text);
      return match ? match.dataset.id : null;
    };

    const show = (people) => {
      list.replaceChildren(...people.map((person) => {
        const option = document.createElement("option");
        option.value = person.label;
        option.dataset.id = String(person.id);
        return option;
      }));
      const id = idOf(box.value);
      if (id) {
        hidden.value = id;
      }
    };

    const lookUp = async (text) => {
      if (controller) {
        controller.abort();
      }
      controller = new AbortController();
      const url = new URL(picker.dataset.lookup, window.location.href);
      url.searchParams.set("q", text);
      try {
        const response = await fetch(url, {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
          signal: controller.signal,
        });
        if (response.ok) {
          const answer = await response.json();
          show(answer.people || []);
        }
      } catch (error) {
        if (error.name !== "AbortError") {
          list.replaceChildren(); // no suggestions: the typed email address still works
        }
      }
    };

    box.addEventListener("input", () => {
      const text = box.value.trim();
      const id = idOf(box.value);
      hidden.value = id || "";
      window.clearTimeout(timer);
      if (id || text.length < MIN_CHARS || text === asked) {
        return;
      }
      timer = window.setTimeout(() => {
        asked = text;
        lookUp(text);
      }, WAIT_MS);
    });
  };

  const start = () => document.querySelectorAll(".person-picker").forEach(setUp);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
