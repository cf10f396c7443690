// The leg map chooses the injection site: each region becomes a button (pointer, Enter or
// Space) that sets the site select it names, and shows which one is chosen. Without this
// script the map only shows the counts and the select is used as it is.
"use strict";

function legMapRegions(map) {
  return Array.from(map.querySelectorAll(".leg-region[data-site]"));
}

function showChosen(map, select) {
  legMapRegions(map).forEach((region) =>
    region.setAttribute("aria-pressed", String(region.dataset.site === select.value)));
  const chosen = select.options[select.selectedIndex];
  const status = map.querySelector(".leg-map-status");
  if (status) status.textContent = chosen && chosen.value ? `Chosen: ${chosen.text}.` : "";
}

function choose(map, select, region) {
  const offered = Array.from(select.options).some((option) => option.value === region.dataset.site);
  if (!offered) return;  // a site the form does not offer is left unchosen, not blanked
  select.value = region.dataset.site;
  // The select's own listeners (and any other script watching it) hear of the change.
  select.dispatchEvent(new Event("change", { bubbles: true }));
}

function makeRegionButton(map, select, region) {
  region.setAttribute("role", "button");
  region.setAttribute("tabindex", "0");
  region.addEventListener("click", () => choose(map, select, region));
  region.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" && event.key !== " ") return;
    event.preventDefault();  // Space would scroll the page
    choose(map, select, region);
  });
}

function bindLegMap(map) {
  const select = document.getElementById(map.dataset.chooseFor);
  if (!select) return;
  const drawing = map.querySelector("svg");
  drawing.removeAttribute("aria-hidden");
  drawing.setAttribute("role", "group");
  drawing.setAttribute("aria-label", "Leg map: choose where the injection was given");
  legMapRegions(map).forEach((region) => makeRegionButton(map, select, region));
  map.querySelectorAll(".leg-map-howto").forEach((hint) => { hint.hidden = false; });
  select.addEventListener("change", () => showChosen(map, select));
  showChosen(map, select);
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-choose-for]").forEach(bindLegMap);
});
