// Small progressive enhancements; every page works without them.
"use strict";

function cellValue(row, index) {
  const cell = row.cells[index];
  if (!cell) return "";
  return (cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent).trim();
}

function compareValues(a, b) {
  const numA = Number(a.replace(/,/g, ""));
  const numB = Number(b.replace(/,/g, ""));
  if (a !== "" && b !== "" && !Number.isNaN(numA) && !Number.isNaN(numB)) return numA - numB;
  return a.localeCompare(b, "en-GB", { numeric: true, sensitivity: "base" });
}

function sortTable(table, th, index) {
  const ascending = th.getAttribute("aria-sort") !== "ascending";
  table.querySelectorAll("thead th").forEach((other) => other.removeAttribute("aria-sort"));
  th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  rows.sort((r1, r2) => compareValues(cellValue(r1, index), cellValue(r2, index)) * (ascending ? 1 : -1));
  rows.forEach((row) => body.appendChild(row));
}

function makeSortable(table) {
  table.querySelectorAll("thead th").forEach((th, index) => {
    if (th.dataset.nosort !== undefined) return;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    button.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    button.addEventListener("click", () => sortTable(table, th, index));
  });
}

function bindFilter(input) {
  const table = document.getElementById(input.dataset.filterFor);
  if (!table) return;
  input.addEventListener("input", () => {
    const needle = input.value.trim().toLowerCase();
    Array.from(table.tBodies[0].rows).forEach((row) => {
      row.hidden = needle !== "" && !row.textContent.toLowerCase().includes(needle);
    });
  });
}

function bindConfirm(button) {
  button.addEventListener("click", (event) => {
    if (!window.confirm(button.dataset.confirm)) event.preventDefault();
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("table[data-sortable]").forEach(makeSortable);
  document.querySelectorAll("input[data-filter-for]").forEach(bindFilter);
  document.querySelectorAll("[data-confirm]").forEach(bindConfirm);
  document.querySelectorAll("[data-print]").forEach((button) =>
    button.addEventListener("click", () => window.print()));
});
