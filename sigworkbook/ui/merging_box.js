/* The browser's half of a merging text box (merging_box.py says the protocol).
 *
 * The person types; each text goes to the kernel at once, with the kernel's write it was typed
 * on. A write of the kernel's (others' words merged in) that holds every text the box sent is
 * shown as it is; one that does not (keys typed while it was on its way) gets those keys typed
 * again where the same words are, when they fit. The caret stays on the person's words. */

const RESEND_MS = 2000; /* a text the kernel has not had by then is sent again */

/* Where offset `at` of `before` is in `after`, which has others' words put in: after the
   same words as before. */
function moved(at, before, after) {
  const head = before.slice(0, at);
  const tail = before.slice(at);
  if (after.startsWith(head)) return at; /* nothing put in before it */
  if (tail && after.endsWith(tail)) return after.length - tail.length; /* nor after it */
  if (!tail) {
    /* At the end, with a change before it: after the first place that holds all of the text
       in order, so others' words put after it (every text ends with an empty tail) stay after
       it, and those put in before it stay before it. */
    let found = 0;
    for (let i = 0; i < after.length && found < head.length; i += 1) {
      if (after[i] === head[found]) found += 1;
      if (found === head.length) return i + 1;
    }
  }
  /* Changes on both sides: after the copy of the words typed just before it (the longest
     piece found, the copy nearest where it would be) */
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

/* The keys that turned `before` into `after`, typed again on `written` (`before` with others'
   words put in): one change, where the same words are in `written` and with the same
   characters on either side of it (or a space); null where not (a key would go inside or
   glue onto another's word: the kernel, which has every version, merges those). */
function rebased(before, after, written) {
  const most = Math.min(before.length, after.length);
  let start = 0;
  while (start < most && before[start] === after[start]) start += 1;
  let end = 0;
  while (end < most - start && before[before.length - 1 - end] === after[after.length - 1 - end]) {
    end += 1;
  }
  const removed = before.slice(start, before.length - end);
  const added = after.slice(start, after.length - end);
  const from = moved(start, before, written);
  const to = from + removed.length;
  if (written.slice(from, to) !== removed) return null;
  const beside = (theirs, mine) => theirs === mine || /^\s$/.test(theirs);
  if (!beside(written[from - 1], before[start - 1])) return null;
  if (!beside(written[to], before[before.length - end])) return null;
  return written.slice(0, from) + added + written.slice(to);
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

  let seq = Math.max(model.get("seq"), model.get("ack")); /* the box's last text sent */
  let base = model.get("rev"); /* the kernel's write the box's text is typed on ... */
  let baseSeq = model.get("ack"); /* ... holding the box's text of this number ... */
  let baseText = null; /* ... with the box's keys since typed again on it (null: none) */
  let sent = new Map([[baseSeq, model.get("value")]]); /* texts sent on that base, by seq */
  let resend = null;
  box.value = model.get("value");

  const send = () => {
    seq += 1;
    sent.set(seq, box.value);
    const text = { typed: box.value, seq, base_rev: base, base_seq: baseSeq };
    if (baseText !== null) text.base_text = baseText;
    model.send(text);
    clearTimeout(resend);
    resend = setTimeout(() => {
      if (model.get("seq") < seq) send(); /* lost on the way (a broken connection) */
    }, RESEND_MS);
  };
  box.addEventListener("input", send);

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
    const ack = model.get("ack");
    const written = model.get("value");
    const local = box.value;
    if (ack === seq) {
      /* it holds every text this box has sent */
      show(written, (offset) => moved(offset, local, written));
      base = model.get("rev");
      baseSeq = ack;
      baseText = null;
      sent = new Map([[ack, written]]);
      return;
    }
    /* Keys typed while it was on its way: typed again on it. A write older than the box's
       base, or one they do not fit, is left: the kernel merges the texts it has not had
       yet and writes again. */
    if (!sent.has(ack)) return;
    const mine = rebased(sent.get(ack), local, written);
    if (mine === null) return;
    show(mine, (offset) => moved(offset, local, mine));
    base = model.get("rev");
    baseSeq = seq;
    baseText = mine;
    sent = new Map([[seq, mine]]);
  });

  return () => clearTimeout(resend);
}

export default { render };
export { moved, rebased }; /* for the tests (tests/ui/test_merging_box_script.py) */
