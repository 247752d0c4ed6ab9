/* The browser's half of a merging text box (merging_box.py says the protocol).
 *
 * The person types; each text goes to the kernel with the number of the kernel's write it was
 * typed on. When the kernel writes (others' words merged in), the keys typed since the
 * browser's text that write holds are put back onto it, and the caret stays on the person's
 * words. Keys that cannot be placed (the kernel changed the very words just typed) stay in
 * the box, typed on the older write: the kernel merges them with its own text. */

/* The one stretch where `after` differs from `before`: before[start, end) became `text`. */
function difference(before, after) {
  const most = Math.min(before.length, after.length);
  let head = 0;
  while (head < most && before[head] === after[head]) head += 1;
  let tail = 0;
  while (
    tail < most - head &&
    before[before.length - 1 - tail] === after[after.length - 1 - tail]
  ) {
    tail += 1;
  }
  return { start: head, end: before.length - tail, text: after.slice(head, after.length - tail) };
}

/* Where `before`'s offset `at` is in `after` (the same text with one stretch changed). */
function moved(at, before, after) {
  const change = difference(before, after);
  if (at <= change.start) return at;
  if (at >= change.end) return at + after.length - before.length;
  return change.start + change.text.length;
}

/* `local`'s change to `base` made again on `written` (which holds `base`, and others'
   words), or null when where it goes is not clear. */
function replay(base, local, written) {
  const change = difference(base, local);
  const head = base.slice(0, change.start);
  const gone = base.slice(change.start, change.end);
  const tail = base.slice(change.end);
  if (written.startsWith(head) && written.slice(head.length).startsWith(gone)) {
    /* everything the kernel changed is after the keys */
    const after = written.slice(head.length + gone.length);
    const theirsNext = after.length > 0 && after[0] !== tail[0];
    return head + spaced(change.text, after, theirsNext);
  }
  if (written.endsWith(gone + tail)) {
    /* everything it changed is before them */
    const before = written.slice(0, written.length - (gone + tail).length);
    const theirsNext = before.length > 0 && before[before.length - 1] !== head[head.length - 1];
    return spaced(before, change.text, theirsNext) + tail;
  }
  return null;
}

/* Two texts one after the other; where one person's words meet another's (`meet`), with a
   space between them unless one is there already (the kernel's merge does the same). */
function spaced(left, right, meet) {
  if (!meet || !left || !right || /\s$/.test(left) || /^\s/.test(right)) return left + right;
  return left + " " + right;
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

  let stamp = 0;
  let seq = model.get("seq");
  let known = { rev: model.get("rev"), text: model.get("value"), stamp: 0 };
  const sent = new Map(); /* seq -> the text sent, and when (stamp) */
  box.value = known.text;

  const send = (text) => {
    seq = Math.max(seq, model.get("seq")) + 1;
    sent.set(seq, { text, stamp: ++stamp });
    if (sent.size > 64) sent.delete(sent.keys().next().value);
    model.set({ value: text, seq, base_rev: known.rev });
    model.save_changes();
  };
  box.addEventListener("input", () => send(box.value));

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
    const written = model.get("value");
    const rev = model.get("rev");
    const held = sent.get(model.get("ack"));
    const base = held && held.stamp > known.stamp ? held.text : known.text;
    const local = box.value;
    if (local === base) {
      show(written, (offset) => moved(offset, local, written));
      known = { rev, text: written, stamp: ++stamp };
      return;
    }
    const replayed = replay(base, local, written);
    if (replayed === null) return; /* the next text goes typed on the older write */
    show(replayed, (offset) => moved(offset, local, replayed));
    known = { rev, text: written, stamp: ++stamp };
    if (replayed !== written) send(replayed);
  });
}

export default { render };
export { difference, moved, replay }; /* for the tests (tests/ui/test_merging_box_script.py) */
