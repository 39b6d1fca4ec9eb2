// The demo page of qieci serve: plain JS over the JSON API, nothing else.
"use strict";

const POS_CLASS = {
  n: "pos-n", v: "pos-v", a: "pos-a", b: "pos-a", z: "pos-a", d: "pos-d", r: "pos-r",
  m: "pos-m", q: "pos-m", p: "pos-f", c: "pos-f", u: "pos-f", e: "pos-f", y: "pos-f",
  o: "pos-f", f: "pos-n", s: "pos-n", t: "pos-n", i: "pos-n", l: "pos-n", j: "pos-n",
};
const VISIBLE = { " ": "␣", "\t": "⇥", "\n": "↵", "\r": "", "\u3000": "□" };

class ApiError extends Error {
  constructor(status, error) {
    super(error.message);
    this.status = status;
    this.code = error.code;
  }
}

async function api(path, body) {
  const init = body === undefined ? {} : {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  };
  const response = await fetch(path, init);
  const data = await response.json();
  if (!response.ok) throw new ApiError(response.status, data.error);
  return data;
}

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function posClass(tag) {
  return tag ? POS_CLASS[tag[0]] || "pos-x" : "";
}

class Panel {
  constructor(root, engines, standards, engine, standard) {
    this.root = root;
    this.engine = root.querySelector(".engine");
    this.standard = root.querySelector(".standard");
    this.words = root.querySelector(".words");
    this.summary = root.querySelector(".summary");
    this.kw = root.querySelector(".kw");
    this.note = root.querySelector(".note");
    this.seq = 0;
    this.spans = [];
    for (const name of engines) this.engine.append(new Option(name, name));
    for (const name of standards) this.standard.append(new Option(name, name));
    this.engine.value = engine;
    this.standard.value = standard;
    this.sync();
  }

  sync() {
    this.standard.disabled = this.engine.value !== "learned";
  }

  setting() {
    const s = { engine: this.engine.value };
    if (s.engine === "learned") s.standard = this.standard.value;
    return s;
  }

  label() {
    const s = this.setting();
    return s.standard ? `${s.engine}:${s.standard}` : s.engine;
  }

  async update(text, options) {
    const seq = ++this.seq;
    this.root.dataset.state = "loading";
    const notes = [];
    const setting = this.setting();
    let data;
    try {
      data = await api("/v1/cut", { text, ...setting, pos: options.pos, offsets: true });
    } catch (err) {
      if (!(err instanceof ApiError) || !options.pos) throw err;
      notes.push(err.message); // POS tags need the jieba engine: show the words without
      data = await api("/v1/cut", { text, ...setting, offsets: true });
    }
    let keywords = null;
    if (options.keywords) {
      try {
        keywords = (await api("/v1/keywords", { text, method: options.method, top_k: 8, ...setting })).keywords;
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        notes.push(err.message);
      }
    }
    if (seq !== this.seq) return false; // a newer request has been made
    this.spans = data.words;
    this.rendered = { text, setting: this.label(), pos: options.pos, keywords: options.keywords };
    this.showKeywords(keywords);
    this.note.hidden = notes.length === 0;
    this.note.textContent = notes.join(" ");
    return true;
  }

  render(other, pos) {
    const theirs = new Set(other ? other.spans.map((w) => `${w.start}:${w.end}`) : []);
    const frag = document.createDocumentFragment();
    let differ = 0;
    for (const w of this.spans) {
      const node = el("span", "w");
      node.dataset.word = w.word;
      node.dataset.start = w.start;
      node.dataset.end = w.end;
      const blank = w.word.trim() === "";
      const shown = blank ? [...w.word].map((c) => VISIBLE[c] ?? "·").join("") : w.word;
      node.append(el("span", "t", shown));
      if (blank) node.classList.add("ws");
      if (w.tag) {
        node.append(el("span", "tag", w.tag));
        node.dataset.tag = w.tag;
        const cls = posClass(w.tag);
        if (cls) node.classList.add(cls);
      }
      if (other && !theirs.has(`${w.start}:${w.end}`)) {
        node.classList.add("diff");
        differ += 1;
      }
      frag.append(node);
      if (w.word.includes("\n")) frag.append(document.createElement("br"));
    }
    this.words.replaceChildren(frag);
    this.root.classList.toggle("show-pos", pos);
    const n = this.spans.length;
    this.summary.textContent = `${this.label()} · ${n} word${n === 1 ? "" : "s"}` +
      (other ? ` · ${differ} cut differently from ${other.label()}` : "");
    this.root.dataset.setting = this.label();
    this.root.dataset.state = "ready";
  }

  showKeywords(keywords) {
    this.kw.hidden = keywords === null;
    if (keywords === null) return;
    const items = keywords.map((k) => {
      const chip = el("span", "k", k.word);
      chip.append(el("small", null, k.weight.toFixed(2)));
      return chip;
    });
    if (items.length === 0) items.push(el("span", "summary", "no keywords"));
    this.kw.replaceChildren(el("span", "label", "Keywords"), ...items);
  }
}

async function main() {
  const info = await api("/v1/standards");
  const text = document.getElementById("text");
  const compare = document.getElementById("compare");
  const pos = document.getElementById("pos");
  const keywords = document.getElementById("keywords");
  const method = document.getElementById("method");
  const status = document.getElementById("status");
  const panels = document.getElementById("panels");
  const legend = document.getElementById("legend");
  const engines = info.engines.filter((e) => e !== "chars" || info.default.engine === "chars");
  const pick = (s) => (info.standards.includes(s) ? s : info.default_standard);
  const a = new Panel(document.getElementById("panel-a"), engines, info.standards,
    info.default.engine, info.default.standard || pick("pku"));
  const b = new Panel(document.getElementById("panel-b"), engines, info.standards,
    "learned", pick(info.default.engine === "learned" ? "msr" : "pku"));
  let timer = null;

  async function refresh() {
    const options = { pos: pos.checked, keywords: keywords.checked, method: method.value };
    const both = compare.checked;
    panels.classList.toggle("single", !both);
    legend.hidden = !pos.checked;
    method.disabled = !keywords.checked;
    status.textContent = "segmenting…";
    status.classList.remove("error");
    const started = performance.now();
    try {
      const jobs = [a.update(text.value, options)];
      if (both) jobs.push(b.update(text.value, options));
      const fresh = await Promise.all(jobs);
      if (!fresh.every(Boolean)) return;
      a.render(both ? b : null, pos.checked);
      if (both) b.render(a, pos.checked);
      status.textContent = `${Math.round(performance.now() - started)} ms`;
    } catch (err) {
      status.textContent = err.message;
      status.classList.add("error");
    }
  }

  function soon() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 200);
  }

  text.addEventListener("input", soon);
  for (const panel of [a, b]) {
    for (const select of [panel.engine, panel.standard]) {
      select.addEventListener("change", () => {
        panel.sync();
        refresh();
      });
    }
  }
  for (const input of [compare, pos, keywords, method]) input.addEventListener("change", refresh);
  await refresh();
}

main().catch((err) => {
  const status = document.getElementById("status");
  status.textContent = `cannot reach the server: ${err.message}`;
  status.classList.add("error");
});
