/* The browser's half of a merging text box (merging_box.py says the protocol).
 *
 * The person types; each text goes to the kernel at once, with the number of the kernel's
 * write it was typed on. The box takes a write of the kernel's (others' words merged in) once
 * it holds every text the box sent, and the caret stays on the person's words. The box never
 * merges by itself: the kernel, which has every version, does. */

/* Where offset `at` of `before` is in `after`, which has others' words put in: after the
   same words as before. */
function moved(at, before, after) {
  const head = before.slice(0, at);
  const tail = before.slice(at);
  if (after.startsWith(head)) return at; /* nothing put in before it */
  if (after.endsWith(tail)) return after.length - tail.length; /* nor after it */
  /* Words put in on both sides: after the copy of the words typed just before it (the
     longest piece found, the copy nearest where it would be) */
  const near = at + after.length - before.length;
  for (const size of [40, 20, 10, 5]) {
    const context = head.slice(-size);
    let best = -1;
    for (let found = after.indexOf(context); found >= 0; found = after.indexOf(context, found + 1)) {
      const place = found + context.length;
      if (best < 0 || Math.abs(place - near) < Math.abs(best - near)) best = place;
    }
    if (best >= 0) return best;
  }
  return Math.min(at, after.length);
}

function render({ model, el }) {
  const rows = model.get("rows");
  const box = document.createElement(rows ? "textarea" : "input");
  const id = "swb-merging-" + Math.random().toString(36).slice(2);
  box.id = id;
  box.className = "widget-input";
  if (rows) box.rows = rows;
  else box.type = "text";
  const label = document.createElement("label");
  label.className = "widget-label";
  label.htmlFor = id;
  const holder = document.createElement("div");
  holder.className =
    "widget-inline-hbox swb-merging " + (rows ? "widget-textarea" : "widget-text");
  holder.append(label, box);
  el.append(holder);

  const looks = () => {
    label.textContent = model.get("description");
    label.style.display = model.get("description") ? "" : "none";
    box.placeholder = model.get("placeholder");
    box.disabled = model.get("disabled");
  };
  looks();
  model.on("change:description change:placeholder change:disabled", looks);

  let seq = model.get("seq"); /* the box's last text sent */
  let base = model.get("rev"); /* the kernel's write that the box's text is typed on */
  box.value = model.get("value");
  box.addEventListener("input", () => {
    seq = Math.max(seq, model.get("seq")) + 1;
    model.set({ value: box.value, seq, base_rev: base });
    model.save_changes();
  });

  const show = (text, place) => {
    if (box.value === text) return;
    const focused = document.activeElement === box;
    const start = box.selectionStart;
    const end = box.selectionEnd;
    const direction = box.selectionDirection || "none";
    box.value = text;
    if (focused && typeof start === "number") {
      box.setSelectionRange(place(start), place(end), direction);
    }
  };

  model.on("change:rev", () => {
    /* A write that holds every text this box has sent: the box takes it. One that does not
       (keys were typed while it was on its way) is left: the kernel merges those texts,
       typed on the older write, and writes again holding them. */
    if (model.get("ack") !== seq) return;
    const written = model.get("value");
    const local = box.value;
    show(written, (offset) => moved(offset, local, written));
    base = model.get("rev");
  });
}

export default { render };
export { moved }; /* for the tests (tests/ui/test_merging_box_script.py) */
