// The patient's signature on the consent form: strokes drawn with a finger, stylus or mouse
// on a <canvas>, kept as JSON [[[x, y], ...], ...] in the canvas's own units (its width and
// height attributes, whatever size it is shown at) in a hidden field. The server checks the
// strokes; without JavaScript the box stays empty and staff give the reason instead.
"use strict";

(function () {
  // Box units between kept points: a smooth line without thousands of points.
  const MIN_STEP = 2;

  function clamp(value, low, high) {
    return Math.min(high, Math.max(low, value));
  }

  function isStroke(stroke) {
    return Array.isArray(stroke) && stroke.length > 0 && stroke.every((point) =>
      Array.isArray(point) && point.length === 2 && point.every(Number.isFinite));
  }

  // The strokes already in the field (a form shown again after a refusal elsewhere).
  function keptStrokes(field) {
    try {
      const kept = JSON.parse(field.value || "[]");
      return Array.isArray(kept) && kept.every(isStroke) ? kept : [];
    } catch (error) {
      return [];
    }
  }

  function setUp(canvas) {
    const field = document.getElementById(canvas.dataset.field);
    const clear = document.getElementById(canvas.dataset.clear);
    const pen = canvas.getContext("2d");
    let strokes = keptStrokes(field);
    let current = null;

    function pointOf(event) {
      const box = canvas.getBoundingClientRect();
      const x = (event.clientX - box.left) * canvas.width / box.width;
      const y = (event.clientY - box.top) * canvas.height / box.height;
      return [Math.round(clamp(x, 0, canvas.width)), Math.round(clamp(y, 0, canvas.height))];
    }

    function line(from, to) {
      pen.beginPath();
      pen.moveTo(from[0], from[1]);
      // A lone point is drawn as a dot: a line of (almost) no length with round caps.
      pen.lineTo(to[0] + (from === to ? 0.01 : 0), to[1]);
      pen.stroke();
    }

    function drawAll() {
      pen.clearRect(0, 0, canvas.width, canvas.height);
      pen.lineWidth = 3;
      pen.lineCap = "round";
      pen.lineJoin = "round";
      pen.strokeStyle = "#14213d";
      strokes.forEach((stroke) => {
        line(stroke[0], stroke[0]);
        stroke.slice(1).forEach((point, index) => line(stroke[index], point));
      });
    }

    function save() {
      field.value = strokes.length ? JSON.stringify(strokes) : "";
    }

    canvas.addEventListener("pointerdown", (event) => {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      const point = pointOf(event);
      current = [point];
      strokes.push(current);
      line(point, point);
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!current) return;
      const point = pointOf(event);
      const last = current[current.length - 1];
      if (Math.hypot(point[0] - last[0], point[1] - last[1]) < MIN_STEP) return;
      current.push(point);
      line(last, point);
    });
    const finish = () => {
      if (!current) return;
      current = null;
      save();
    };
    ["pointerup", "pointercancel", "lostpointercapture"].forEach((name) =>
      canvas.addEventListener(name, finish));
    clear.addEventListener("click", () => {
      strokes = [];
      current = null;
      save();
      drawAll();
    });
    drawAll();
    save();
    // Strokes drawn before this point are lost; a test (or a style) can wait for the mark.
    canvas.dataset.ready = "true";
  }

  document.addEventListener("DOMContentLoaded", () =>
    document.querySelectorAll("canvas[data-signature-pad]").forEach(setUp));
})();
