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

// A pack's GS1 code, as a scanner types it or as printed in brackets: the batch (AI 10), or
// null for anything this short reader does not know (the server reads those when the form is
// sent). Fixed-length element strings run on; a variable-length one ends at a group separator.
const GS = "\x1d";
const SEPARATOR_SPELLINGS = ["<GS>", "[GS]", "{GS}", "\\x1d", "\u241d"];
const FIXED_LENGTH = { "00": 18, "01": 14, "02": 14, "11": 6, "12": 6, "13": 6, "15": 6, "16": 6, "17": 6, "20": 2 };

function batchNumberOf(text) {
  let code = text.trim().replace(/^\][A-Za-z][0-9]/, "");
  SEPARATOR_SPELLINGS.forEach((spelling) => { code = code.split(spelling).join(GS); });
  if (code.startsWith("(")) {
    const found = /\(10\)([^(]+)/.exec(code);
    return found ? found[1].trim() : null;
  }
  let at = 0;
  while (at < code.length) {
    if (code[at] === GS) { at += 1; continue; }  // a separator where none is needed
    const ai = code.slice(at, at + 2);
    if (FIXED_LENGTH[ai]) { at += 2 + FIXED_LENGTH[ai]; continue; }
    if (ai !== "10" && ai !== "21") return null;
    const end = code.indexOf(GS, at);
    if (ai === "10") return code.slice(at + 2, end === -1 ? undefined : end);
    if (end === -1) return null;
    at = end + 1;
  }
  return null;
}

// A scanner types the code and presses Enter: choose the batch it names and go on to the
// volume, instead of sending a form that has no volume yet.
function bindScan(input) {
  const select = document.getElementById(input.dataset.scanFor);
  const next = document.getElementById(input.dataset.scanThen);
  const status = document.getElementById(`${input.id}-status`);
  if (!select || !next) return;
  input.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    const number = (batchNumberOf(input.value) || "").toUpperCase();
    const option = Array.from(select.options).find((o) => number && o.dataset.batchNumber === number);
    if (option) {
      select.value = option.value;
      input.value = "";
      if (status) status.textContent = `Batch ${number} chosen from the scan.`;
    } else if (input.value.trim() && status) {
      status.textContent = "Scanned: the batch is read from the code when you record the injection.";
    }
    next.focus();
  });
  // Back at the form after recording an injection, with its batch kept: the volume is next
  // (once loaded: going to the page's #fragment would take the focus away again).
  const section = document.getElementById(window.location.hash.slice(1));
  if (section && section.contains(input) && select.value && select.value !== "0") {
    window.addEventListener("load", () => next.focus({ preventScroll: true }));
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input[data-scan-for]").forEach(bindScan);
  document.querySelectorAll("table[data-sortable]").forEach(makeSortable);
  document.querySelectorAll("input[data-filter-for]").forEach(bindFilter);
  document.querySelectorAll("[data-confirm]").forEach(bindConfirm);
  document.querySelectorAll("[data-print]").forEach((button) =>
    button.addEventListener("click", () => window.print()));
  // Until here a scan, a filter or a confirmation is not yet handled; tests wait for the mark.
  document.documentElement.dataset.appReady = "true";
});
