// partnersim studio: the page. Every change is sent as `--set` text; the server checks it with the
// scenario loader and runs it against the base on the same random numbers.
"use strict";

const TOKEN = new URLSearchParams(location.search).get("token") || "";
const COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];
const state = { info: null, changes: [], job: null, answer: null, board: [], hidden: new Set(), firstAnswerMs: null };
const $ = (id) => document.getElementById(id);

async function api(path, body) {
  const response = await fetch(path, {
    method: body === undefined ? "GET" : "POST",
    headers: { "Content-Type": "application/json", "X-Studio-Token": TOKEN },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({ problems: [`the studio answered ${response.status}`] }));
  if (!response.ok) throw new Error((data.problems || ["failed"]).join("\n"));
  return data;
}

const pct = (p) => (p * 100).toFixed(p < 0.1 && p > 0 ? 1 : 0) + "%";
function pts(d) {
  const a = Math.abs(d * 100);
  if (a < 0.005) return "0";
  return (d > 0 ? "+" : "−") + a.toFixed(a < 0.1 ? 2 : 1);
}
function text(node, value) { node.textContent = value; return node; }
function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const child of children) node.append(child);
  return node;
}

// ---- the base ----------------------------------------------------------------------------------
async function load() {
  const info = await api("/api/info");
  state.info = info;
  const base = $("base");
  base.replaceChildren(...info.bases.map((f) => el("option", f === info.file ? { selected: "" } : {}, [f])));
  if (info.problems.length) {
    $("problems").hidden = false;
    text($("problems"), `${info.file} has problems; fix them and reload:\n` + info.problems.join("\n"));
    text($("title"), info.file);
    for (const b of document.querySelectorAll("button")) b.disabled = true;
    return;
  }
  $("problems").hidden = true;
  for (const b of document.querySelectorAll("button")) b.disabled = false;
  text($("title"), `${info.name} · ${info.start} to ${info.horizon}`);
  text($("question"), `The question: ${info.question}`);
  $("ally").replaceChildren(...info.allies.map((a) => el("option", { value: a.code }, [`${a.name} (${a.code})`])));
  $("candidate").replaceChildren(...info.candidates.map((c) => el("option", { value: c.code }, [c.name])));
  fillOpen(info.files);
  state.changes = [];
  showChanges();
  run();
}

function fillOpen(files) {
  $("open").replaceChildren(el("option", { value: "" }, ["open a saved what-if…"]),
    ...files.map((f) => el("option", { value: f }, [f])));
}

// ---- changes -----------------------------------------------------------------------------------
let adding = Promise.resolve();
function add(made, errorBox) {  // one after the other: a quick second click waits for the first
  adding = adding.then(() => addNow(made, errorBox));
  return adding;
}

async function addNow(made, errorBox) {
  const next = state.changes.filter((c) => !made.some((m) => m.path === c.path)).concat(made);
  text($(errorBox), "");
  try {
    await api("/api/check", { changes: next });
  } catch (error) {
    text($(errorBox), error.message);  // the loader's own message, at the control
    return;
  }
  state.changes = next;
  showChanges();
  run();
}

function showChanges() {
  const list = $("changes");
  if (!state.changes.length) {
    list.replaceChildren(el("li", { class: "none" }, ["none yet: the results are the base's"]));
    return;
  }
  list.replaceChildren(...state.changes.map((c, i) => {
    const remove = el("button", { type: "button", title: "remove", "aria-label": `remove ${c.path}` }, ["×"]);
    remove.onclick = () => { state.changes.splice(i, 1); showChanges(); run(); };
    return el("li", {}, [el("code", {}, [`${c.path} = ${c.value}`]), remove]);
  }));
}

// ---- runs --------------------------------------------------------------------------------------
let poll = null;
async function run() {
  if (poll) clearTimeout(poll);
  state.answer = null;
  state.job = null;  // answers of the run being replaced are no longer shown
  document.body.dataset.done = "no";
  const started = performance.now();
  for (const id of ["table", "chart", "differences"]) $(id).classList.add("stale");
  text($("status"), state.changes.length ? "Running… (the table below is the previous answer until the new one comes)"
    : "The base (no change yet).");
  let job;
  try {
    job = (await api("/api/run", { changes: state.changes })).job;
  } catch (error) {
    text($("status"), "The run could not start: " + error.message);
    for (const id of ["table", "chart", "differences"]) $(id).replaceChildren();
    return;
  }
  state.job = job;
  let answered = false;
  const step = async () => {
    if (state.job !== job) return;
    let found;
    try { found = await api(`/api/run/${job}`); } catch (error) { if (state.job === job) text($("status"), error.message); return; }
    if (state.job !== job) return;  // replaced while its answer was on the way
    if (found.error.length) {
      text($("status"), "The run failed: " + found.error.join("; "));
      for (const id of ["table", "chart", "differences"]) $(id).replaceChildren();
      return;
    }
    if (found.answers.length) {
      const latest = found.answers[found.answers.length - 1];
      if (!answered && state.changes.length) {  // the time from a change to its first answer, kept for benchmarks
        answered = true;
        const took = Math.round(performance.now() - started);
        document.body.dataset.firstAnswerMs = String(took);
        window.studioFirstAnswers = (window.studioFirstAnswers || []).concat(took);
      }
      show(latest, found.done);
      for (const kept of state.board) if (kept.job === job) { kept.answer = latest; kept.done = found.done; }
      if (state.board.some((b) => b.job === job)) showBoard();
    }
    if (!found.done) poll = setTimeout(step, 150);
  };
  step();
}

function show(answer, done) {
  state.answer = answer;
  const n = answer.n.toLocaleString("en");
  for (const id of ["table", "chart", "differences"]) $(id).classList.remove("stale");
  text($("status"), `${done ? "Final" : "First"} answer on ${n} simulated futures, each shared by the base and the ` +
    `what-if${done ? "" : "; refining…"}`);
  document.body.dataset.replications = String(answer.n);
  document.body.dataset.done = done ? "yes" : "no";
  const moved = answer.horizon !== state.info.horizon;
  if (moved) text($("status"), $("status").textContent + `; the horizon moved to ${answer.horizon} for the base and the what-if alike`);
  const head = el("tr", {}, ["Candidate", `${state.info.success} by ${answer.horizon}: base${moved ? " (to that date)" : ""}`, "what-if",
    "change in percentage points (95% paired interval)", "beyond noise?",
    "even chance reached: base → what-if"].map((h) => el("th", {}, [h])));
  const reached = (day) => day || `after ${answer.horizon}`;
  const rows = answer.rows.map((r) => {
    const c = r.change;
    const same = c.verdict === "no change in any replication";
    const verdict = same ? "no change" : (c.beyond ? "yes" : "no, within noise");
    return el("tr", { "data-code": r.code }, [
      el("td", {}, [r.name]),
      el("td", {}, [`${pct(r.base.p)} (${pct(r.base.low)}–${pct(r.base.high)})`]),
      el("td", {}, [`${pct(r.variant.p)} (${pct(r.variant.low)}–${pct(r.variant.high)})`]),
      el("td", { class: c.beyond ? "beyond" : "noise" }, [same ? "none in any future" : `${pts(c.diff)} (${pts(c.low)} to ${pts(c.high)})`]),
      el("td", { class: c.beyond ? "beyond" : "noise", "data-verdict": c.beyond ? "beyond" : "noise" }, [verdict]),
      el("td", {}, [`${reached(r.p50.base)} → ${reached(r.p50.variant)}`]),
    ]);
  });
  $("table").replaceChildren(head, ...rows);
  $("differences").replaceChildren(...(answer.differences.length ? ["What changed: " + answer.differences.join("; ")] : []),
    ...answer.notes.map((note) => el("div", {}, [note])));
  draw($("chart"), answer, state.changes.length ? [{ label: "what-if", curves: answer.curves, dash: "6 4" }] : []);
  tell($("told-base"), "The base", answer.base);
  if (state.changes.length) tell($("told-variant"), "The what-if", answer.variant); else $("told-variant").replaceChildren();
}

function tell(box, title, told) {  // the findings (with the allies in the way) and the outcome table, as `run` prints them
  const table = el("table", {}, [el("tr", {}, told.outcomes.header.map((h) => el("th", {}, [h]))),
    ...told.outcomes.rows.map((row) => el("tr", {}, row.map((cell) => el("td", {}, [cell]))))]);
  box.replaceChildren(el("h3", {}, [`${title}: ${told.outcomes.title}`]), table,
    el("div", { class: "small" }, [told.outcomes.note]),
    el("ul", { class: "findings" }, told.findings.map((f) => el("li", {}, [f]))));
}

// ---- the S-curves: base solid, what-ifs dashed; click a name to hide it, hover for values ------
function draw(box, answer, variants) {
  const width = Math.max(box.clientWidth || 640, 480), height = 300, m = { l: 44, r: 12, t: 10, b: 28 };
  const codes = answer.rows.map((r) => r.code);
  const names = Object.fromEntries(answer.rows.map((r) => [r.code, r.name]));
  const start = new Date(answer.start), end = new Date(answer.horizon);
  const span = end - start;
  const x = (i) => m.l + Math.min(i * answer.step * 864e5 / span, 1) * (width - m.l - m.r);
  const y = (p) => m.t + (1 - p) * (height - m.t - m.b);
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("width", width); svg.setAttribute("height", height); svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "Chance of cooperation by date, base and what-if");
  const line = (attrs) => { const n = document.createElementNS(ns, "path"); for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v); svg.append(n); return n; };
  const label = (tx, ty, s, anchor = "end") => { const t = document.createElementNS(ns, "text"); t.setAttribute("x", tx); t.setAttribute("y", ty); t.setAttribute("font-size", "11"); t.setAttribute("fill", "#666"); t.setAttribute("text-anchor", anchor); t.textContent = s; svg.append(t); };
  for (const p of [0, 0.25, 0.5, 0.75, 1]) { line({ d: `M${m.l},${y(p)}H${width - m.r}`, stroke: "#eee" }); label(m.l - 4, y(p) + 4, `${p * 100}%`); }
  label(m.l + 2, m.t - 0, `chance of ${state.info.success.toLowerCase()} by the date`, "start");
  for (let year = start.getFullYear() + 1; year <= end.getFullYear(); year++) {
    const at = m.l + ((new Date(`${year}-01-01`) - start) / span) * (width - m.l - m.r);
    label(at, height - 8, String(year), "middle");
  }
  const path = (values) => values.map((v, i) => `${i ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join("");
  codes.forEach((code, k) => {
    if (state.hidden.has(code)) return;
    const colour = COLOURS[k % COLOURS.length];
    line({ d: path(answer.curves[code].base), stroke: colour, fill: "none", "stroke-width": 2 });
    for (const v of variants) if (v.curves[code]) line({ d: path(v.curves[code].variant), stroke: colour, fill: "none", "stroke-width": 2, "stroke-dasharray": v.dash });
  });
  const tip = document.querySelector(".tip") || document.body.appendChild(el("div", { class: "tip" }));
  svg.addEventListener("mousemove", (event) => {
    const box2 = svg.getBoundingClientRect();
    const i = Math.round(((event.clientX - box2.left - m.l) / (width - m.l - m.r)) * span / (answer.step * 864e5));
    const last = answer.curves[codes[0]].base.length - 1;
    if (i < 0 || i > last) { tip.style.display = "none"; return; }
    const day = i === last ? answer.horizon : new Date(start.getTime() + i * answer.step * 864e5).toISOString().slice(0, 10);
    const lines = codes.filter((c) => !state.hidden.has(c)).map((c) => {
      const base = answer.curves[c].base, at = Math.min(i, base.length - 1);
      return `${names[c]}: ${pct(base[at])}` + variants.map((v) => v.curves[c] ? ` → ${pct(v.curves[c].variant[Math.min(i, v.curves[c].variant.length - 1)])} (${v.label})` : "").join("");
    });
    tip.replaceChildren(el("b", {}, [day]), ...lines.map((l) => el("div", {}, [l])));
    tip.style.display = "block"; tip.style.left = `${event.clientX + 12}px`; tip.style.top = `${event.clientY + 12}px`;
  });
  svg.addEventListener("mouseleave", () => { tip.style.display = "none"; });
  const legend = el("div", { class: "legend" }, codes.map((code, k) => {
    const item = el("span", { class: state.hidden.has(code) ? "off" : "", style: `color:${COLOURS[k % COLOURS.length]}` }, [`■ ${names[code]}`]);
    item.onclick = () => { state.hidden.has(code) ? state.hidden.delete(code) : state.hidden.add(code); draw(box, answer, variants); };
    return item;
  }));
  const patterns = variants.map((v) => {
    const sample = document.createElementNS(ns, "svg");
    sample.setAttribute("width", 36); sample.setAttribute("height", 10);
    const stroke = document.createElementNS(ns, "path");
    for (const [k, val] of Object.entries({ d: "M0,5H36", stroke: "#333", "stroke-width": 2, "stroke-dasharray": v.dash })) stroke.setAttribute(k, val);
    sample.append(stroke);
    return el("span", { class: "pattern" }, [sample, ` ${v.label}`]);
  });
  const note = el("div", { class: "small" }, [variants.length ? "Solid: the base; " : "The base; ", ...patterns,
    ". Click a candidate's name to hide or show it; hover for the values on a date."]);
  box.replaceChildren(legend, svg, note);
}

// ---- the board, files and briefings -------------------------------------------------------------
function keep(saved = null) {
  if (!state.changes.length) { text($("file-message"), "Make a change first."); return; }
  if (!state.answer) { text($("file-message"), "Wait for the first answer, then keep it."); return; }
  const name = $("name").value.trim() || `what-if ${state.board.length + 1}`;
  const before = state.board.find((b) => b.name === name);
  state.board = state.board.filter((b) => b.name !== name).concat({
    name, changes: [...state.changes], answer: state.answer, job: state.job, saved: saved || (before && before.saved) || null });
  showBoard();
}

function showBoard() {
  if (!state.board.length) { $("board-table").replaceChildren(); $("board-chart").replaceChildren(); return; }
  const head = el("tr", {}, ["What-if (its changes; futures)", "Candidate", "base", "what-if",
    "change in percentage points (95% paired)", "beyond noise?", "saved as"].map((h) => el("th", {}, [h])));
  const rows = state.board.flatMap((b) => b.answer.rows.map((r, k) => el("tr", {}, [
    el("td", {}, k ? [""] : [el("b", {}, [b.name]), el("div", { class: "small" }, [b.changes.map((c) => `${c.path} = ${c.value}`).join("; ") + ` (${b.answer.n.toLocaleString("en")} futures${b.done === false ? ", refining" : ""})`])]),
    el("td", {}, [r.name]), el("td", {}, [pct(r.base.p)]), el("td", {}, [pct(r.variant.p)]),
    el("td", { class: r.change.beyond ? "beyond" : "noise" }, [`${pts(r.change.diff)} (${pts(r.change.low)} to ${pts(r.change.high)})`]),
    el("td", {}, [r.change.beyond ? "yes" : "no"]), el("td", {}, [k ? "" : (b.saved || "not saved")]),
  ])));
  $("board-table").replaceChildren(head, ...rows);
  const dashes = ["6 4", "2 3", "10 3 2 3", "1 4"];
  draw($("board-chart"), state.board[0].answer, state.board.map((b, i) => ({ label: b.name, curves: b.answer.curves, dash: dashes[i % dashes.length] })));
}

async function save() {
  const name = $("name").value.trim();
  text($("file-message"), "");
  if (!name) { text($("file-message"), "Give the what-if a name first."); return; }
  let saved;
  try {
    saved = await api("/api/save", { name, changes: state.changes });
  } catch (error) {
    if (/already a what-if/.test(error.message) && confirm(`${name}.yaml is already a what-if of ${state.info.file}. Replace it?`)) {
      saved = await api("/api/save", { name, changes: state.changes, overwrite: true }).catch((e) => { text($("file-message"), e.message); });
      if (!saved) return;
    } else { text($("file-message"), error.message); return; }
  }
  text($("file-message"), `Saved ${saved.file} beside ${state.info.file}: it extends it and holds only the changes.`);
  fillOpen(saved.files);
  keep(saved.file);
}

async function openSaved(name) {
  if (!name) return;
  try {
    const found = await api("/api/open", { name });
    state.changes = found.changes;
    $("name").value = name.replace(/\.yaml$/, "");
    text($("file-message"), `Opened ${name}.`);
    showChanges();
    run();
  } catch (error) { text($("file-message"), error.message); }
}

async function briefing() {
  const names = state.board.filter((b) => b.saved).map((b) => b.saved);
  const message = $("briefing-message");
  if (!names.length) { text(message, "Save a what-if first: a briefing is made from saved files."); return; }
  text(message, "Writing the briefing…");
  try {
    const made = await api("/api/briefing", { names, format: $("format").value });
    const link = el("a", { href: `/api/file?path=${encodeURIComponent(made.file)}&token=${encodeURIComponent(TOKEN)}`, id: "briefing-link" }, [made.file]);
    message.replaceChildren("Briefing written: ", link);
  } catch (error) { text(message, error.message); }
}

// ---- wiring ------------------------------------------------------------------------------------
$("ally-add").onclick = () => {
  const allies = [...$("ally").selectedOptions].map((o) => o.value);
  if (!allies.length) { text($("ally-error"), "Choose one ally, or several for a bloc."); return; }
  const value = $("ally-value").value.trim();
  add(allies.map((code) => ({ path: `allies.${code}.${$("ally-setting").value}`, value })), "ally-error");
};
$("candidate-add").onclick = () => add([{ path: `candidates.${$("candidate").value}.${$("candidate-setting").value}`, value: $("candidate-value").value.trim() }], "candidate-error");
$("path-add").onclick = () => add([{ path: $("path").value.trim(), value: $("path-value").value.trim() }], "path-error");
for (const link of document.querySelectorAll(".quick a")) link.onclick = (e) => { e.preventDefault(); $("path").value = link.dataset.path; $("path-value").focus(); };
$("ally-setting").onchange = () => { $("ally-value").placeholder = { "hold.probability": "0.5", "hold.lifted": "0.9", "hold.duration": "{lognormal: {median: 1y, p90: 2y}}" }[$("ally-setting").value]; };
$("candidate-setting").onchange = () => { $("candidate-value").placeholder = { request: "2027-06-01", stage: "consensus", since: "2026-01-01" }[$("candidate-setting").value]; };
$("keep").onclick = () => keep();
$("save").onclick = save;
$("open").onchange = () => openSaved($("open").value);
$("briefing").onclick = briefing;
$("base").onchange = async () => {
  if (state.board.length && !confirm("Switching the base clears the board (saved what-ifs stay in their files). Switch?")) {
    $("base").value = state.info.file; return;
  }
  await api("/api/base", { file: $("base").value }).catch((e) => text($("problems"), e.message));
  state.board = []; showBoard();
  $("name").value = ""; text($("file-message"), ""); text($("briefing-message"), "");
  load();
};
load().catch((error) => { $("problems").hidden = false; text($("problems"), error.message); });
