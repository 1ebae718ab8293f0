// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector(".nav-toggle");
  const nav = document.getElementById("main-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", () => {
      const open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", String(open));
    });
  }
  // the programme sections scroll sideways on a phone: bring the current one into view
  const subnav = document.querySelector(".subnav");
  const current = subnav && subnav.querySelector('[aria-current="page"]');
  if (current && subnav.scrollWidth > subnav.clientWidth) {
    subnav.scrollLeft = current.offsetLeft - subnav.offsetLeft - (subnav.clientWidth - current.offsetWidth) / 2;
  }
});
