// The Flare demo's page: draws the stand-in Slack (or X) from /api/state, sends clicks and forms
// to /api/*, which passes them on to Flare's Slack app as Slack's signed requests. No build step.
"use strict";

const POLL_MS = 600;
const $ = (id) => document.getElementById(id);
const state = { version: "", data: null, me: "", channel: "#social-care", openThreads: new Set(), modalKey: "" };

function esc(s) {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

function unslack(s) {
  return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

function nameOf(id) {
  const person = (state.data?.cast || []).find((p) => p.id === id);
  return person ? person.name : id;
}

// Slack mrkdwn: <url|label>, <@U…>, *bold*, _italic_, ~strike~, `code`, > quotes, new lines.
function mrkdwn(raw) {
  const parts = String(raw ?? "").split(/<([^<>]*)>/);
  let html = "";
  parts.forEach((part, i) => {
    if (i % 2 === 0) {
      html += esc(unslack(part))
        .replace(/(^|[\s(])\*([^*\n]+)\*/g, "$1<b>$2</b>")
        .replace(/(^|[\s(])_([^_\n]+)_/g, "$1<i>$2</i>")
        .replace(/(^|[\s(])~([^~\n]+)~/g, "$1<s>$2</s>")
        .replace(/`([^`\n]+)`/g, "<code>$1</code>");
    } else if (part.startsWith("@")) {
      html += `<span class="mention">@${esc(nameOf(part.slice(1).split("|")[0]))}</span>`;
    } else if (part.startsWith("#")) {
      html += `<span class="mention">#${esc(part.split("|")[1] || part.slice(1))}</span>`;
    } else if (part.startsWith("!")) {
      html += `<span class="mention">@${esc(part.slice(1).split("|")[0])}</span>`;
    } else {
      const [url, label] = part.split("|");
      const onX = url.match(/^https:\/\/(?:x|twitter)\.com\/[^/]+\/status\/(\d+)/);
      const safe = onX ? `/x#post-${onX[1]}` : /^https?:\/\//.test(url) ? url : "#";
      html += `<a href="${esc(safe)}" target="_blank" rel="noopener">${esc(unslack(label || url))}</a>`;
    }
  });
  return html
    .split("\n")
    .map((line) => (line.startsWith("&gt; ") ? `<span class="quote">${line.slice(5)}</span>` : line))
    .join("<br>");
}

function text(obj) {
  if (!obj) return "";
  return obj.type === "plain_text" ? esc(obj.text) : mrkdwn(obj.text);
}

// Block Kit ---------------------------------------------------------------------------------
function element(el, where) {
  const ids = `data-block="${esc(where.block)}" data-action="${esc(el.action_id)}"`;
  if (el.type === "button") {
    const style = el.style ? ` ${el.style}` : "";
    const confirm = el.confirm ? ` data-confirm="${esc(el.confirm.text?.text || "Are you sure?")}"` : "";
    return `<button class="btn${style}" ${ids}${confirm}>${esc(el.text?.text)}</button>`;
  }
  if (el.type === "static_select") {
    const options = (el.options || []).map((o) => `<option value="${esc(o.value)}">${esc(o.text?.text)}</option>`);
    const placeholder = esc(el.placeholder?.text || "Choose…");
    return `<select class="select" ${ids}><option value="" selected disabled>${placeholder}</option>${options.join("")}</select>`;
  }
  if (el.type === "image") return "";
  return `<span class="unsupported">${esc(el.type)}</span>`;
}

function block(b, where) {
  const inner = { ...where, block: b.block_id || "" };
  switch (b.type) {
    case "header":
      return `<div class="b-header">${text(b.text)}</div>`;
    case "section": {
      const fields = (b.fields || []).map((f) => `<div>${text(f)}</div>`).join("");
      const accessory = b.accessory ? `<div class="accessory">${element(b.accessory, inner)}</div>` : "";
      return `<div class="b-section"><div class="b-text">${text(b.text)}${fields ? `<div class="fields">${fields}</div>` : ""}</div>${accessory}</div>`;
    }
    case "context":
      return `<div class="b-context">${(b.elements || []).map((e) => (e.type === "image" ? "" : `<span>${text(e)}</span>`)).join(" ")}</div>`;
    case "divider":
      return "<hr>";
    case "actions":
      return `<div class="b-actions">${(b.elements || []).map((e) => element(e, inner)).join("")}</div>`;
    case "input":
      return input(b);
    default:
      return "";
  }
}

function blocks(list, where) {
  return (list || []).map((b) => block(b, where)).join("");
}

function input(b) {
  const el = b.element || {};
  const name = `data-block="${esc(b.block_id)}" data-action="${esc(el.action_id)}" data-type="${esc(el.type)}"`;
  const dispatch = b.dispatch_action ? " data-dispatch" : "";
  let field = "";
  if (el.type === "plain_text_input") {
    const max = el.max_length ? ` maxlength="${el.max_length}"` : "";
    const hint = esc(el.placeholder?.text || "");
    field = el.multiline
      ? `<textarea ${name}${dispatch}${max} rows="5" placeholder="${hint}">${esc(el.initial_value || "")}</textarea>`
      : `<input ${name}${dispatch}${max} placeholder="${hint}" value="${esc(el.initial_value || "")}">`;
  } else if (el.type === "static_select") {
    const chosen = el.initial_option?.value;
    const options = (el.options || []).map(
      (o) => `<option value="${esc(o.value)}"${o.value === chosen ? " selected" : ""}>${esc(o.text?.text)}</option>`,
    );
    field = `<select ${name}><option value=""${chosen ? "" : " selected"}>Choose…</option>${options.join("")}</select>`;
  } else if (el.type === "radio_buttons" || el.type === "checkboxes") {
    const kind = el.type === "radio_buttons" ? "radio" : "checkbox";
    const chosen = new Set(
      el.type === "radio_buttons" ? [el.initial_option?.value] : (el.initial_options || []).map((o) => o.value),
    );
    field = `<div class="choices" ${name}>${(el.options || [])
      .map(
        (o) =>
          `<label><input type="${kind}" name="${esc(b.block_id)}" value="${esc(o.value)}"${chosen.has(o.value) ? " checked" : ""}> ${text(o.text)}${o.description ? ` <small>${text(o.description)}</small>` : ""}</label>`,
      )
      .join("")}</div>`;
  } else {
    field = `<span class="unsupported">${esc(el.type)}</span>`;
  }
  const optional = b.optional ? ' <span class="optional">(optional)</span>' : "";
  const hint = b.hint ? `<div class="hint">${text(b.hint)}</div>` : "";
  return `<div class="b-input" data-input="${esc(b.block_id)}"><label class="label">${text(b.label)}${optional}</label>${field}${hint}<div class="error" data-error="${esc(b.block_id)}"></div></div>`;
}

// Slack side ----------------------------------------------------------------------------------
function message(m, channel, isReply) {
  const where = { channel, ts: m.ts };
  const body = m.blocks.length ? blocks(m.blocks, where) : `<div class="b-text">${mrkdwn(m.text)}</div>`;
  let thread = "";
  const replies = m.replies || [];
  if (!isReply && replies.length) {
    const key = `${channel}|${m.ts}`;
    const open = state.openThreads.has(key);
    thread = `<button class="thread-toggle" data-thread="${esc(key)}">${replies.length} ${replies.length === 1 ? "reply" : "replies"} ${open ? "▾" : "▸"}</button>`;
    if (open) thread += `<div class="thread">${replies.map((r) => message(r, channel, true)).join("")}</div>`;
  }
  return `<article class="msg${isReply ? " reply" : ""}" data-channel="${esc(channel)}" data-ts="${esc(m.ts)}"><div class="who">Flare <span class="app">APP</span></div>${body}${thread}</article>`;
}

function drawSidebar(d) {
  const rows = d.channels.map((c) => {
    const here = c.name === state.channel ? " here" : "";
    return `<button class="chan${here}" data-channel="${esc(c.name)}"># ${esc(c.name.replace(/^#/, ""))} <small>${c.messages.length}</small></button>`;
  });
  const dm = d.dm;
  const hereDm = dm.name === state.channel ? " here" : "";
  const unread = dm.messages.length ? ` <span class="badge">${dm.messages.length}</span>` : "";
  rows.push(`<div class="side-title">Direct messages</div><button class="chan${hereDm}" data-channel="${esc(dm.name)}" id="dm-flare">Flare → ${esc(nameOf(d.as))}${unread}</button>`);
  $("sidebar").innerHTML = rows.join("");
}

function drawStory(story) {
  if (!story) return;
  const acts = story.acts
    .map((a, i) => `<li class="${i < story.act ? "done" : i === story.act ? "now" : ""}" title="${esc(a.says)}">${esc(a.title)}</li>`)
    .join("");
  const now = story.acts[story.act];
  const line = story.done
    ? "The story is told. Work the cards; acknowledge the page as PR, or let the chain step on to the lead."
    : now ? now.says : "The story starts in a moment…";
  $("story").innerHTML = `<ol>${acts}</ol><p>${esc(line)}</p>`;
}

function drawMessages(d) {
  const pane = $("messages");
  const keep = pane.scrollTop;
  const stick = pane.scrollHeight - pane.scrollTop - pane.clientHeight < 40;
  const found = d.channels.find((c) => c.name === state.channel) || (d.dm.name === state.channel ? d.dm : null);
  const shown = found ? found.messages : [];
  $("pane-title").textContent = state.channel.startsWith("#") ? state.channel : `Flare → ${nameOf(d.as)} (DM)`;
  pane.innerHTML = shown.length ? shown.map((m) => message(m, state.channel, false)).join("") : '<p class="empty">Nothing here yet.</p>';
  pane.scrollTop = stick ? pane.scrollHeight : keep;
  $("notes").innerHTML = d.notes
    .slice(-4)
    .map((n) => `<div class="note"><span class="only">Only visible to you · ${esc(n.channel)}</span> ${mrkdwn(n.text)}</div>`)
    .join("");
}

function drawModal(d) {
  const top = d.modals[0];
  const overlay = $("modal");
  if (!top) {
    overlay.hidden = true;
    overlay.innerHTML = "";
    state.modalKey = "";
    return;
  }
  const view = top.view;
  const key = JSON.stringify(top);
  if (key === state.modalKey) return;
  const same = state.modalKey && overlay.dataset.view === view.id;
  const typed = same ? readValues(overlay) : null;
  const focused = same && overlay.contains(document.activeElement) ? document.activeElement : null;
  const caret = focused && "selectionStart" in focused ? focused.selectionStart : null;
  state.modalKey = key;
  overlay.dataset.view = view.id;
  overlay.innerHTML = `<form class="modal" data-view="${esc(view.id)}"><h3>${esc(view.title?.text)}</h3><div class="modal-body">${blocks(view.blocks, {})}</div><footer><button type="button" class="btn" data-close>${esc(view.close?.text || "Cancel")}</button> <button type="submit" class="btn primary">${esc(view.submit?.text || "Submit")}</button></footer></form>`;
  if (typed) restoreValues(overlay, typed);
  if (focused && focused.dataset.block) {
    const again = overlay.querySelector(`[data-block="${CSS.escape(focused.dataset.block)}"][data-action]`);
    if (again) {
      again.focus();
      if (caret !== null && "setSelectionRange" in again) again.setSelectionRange(caret, caret);
    }
  }
  for (const [blockId, said] of Object.entries(top.errors || {})) {
    const slot = overlay.querySelector(`[data-error="${CSS.escape(blockId)}"]`);
    if (slot) slot.innerHTML = mrkdwn(said);
  }
  overlay.hidden = false;
}

// Slack's state.values: block id, then action id, then the element's state.
function readValues(root) {
  const values = {};
  root.querySelectorAll("[data-input]").forEach((wrap) => {
    const el = wrap.querySelector("[data-action]");
    if (!el) return;
    const blockId = el.dataset.block;
    const actionId = el.dataset.action;
    const type = el.dataset.type;
    let entry = { type };
    if (type === "plain_text_input") entry.value = el.value;
    else if (type === "static_select") entry.selected_option = el.value ? { value: el.value, text: { type: "plain_text", text: el.selectedOptions[0].text } } : null;
    else if (type === "radio_buttons") {
      const on = el.querySelector("input:checked");
      entry.selected_option = on ? { value: on.value } : null;
    } else if (type === "checkboxes") entry.selected_options = [...el.querySelectorAll("input:checked")].map((i) => ({ value: i.value }));
    values[blockId] = { [actionId]: entry };
  });
  return values;
}

function restoreValues(root, values) {
  for (const [blockId, actions] of Object.entries(values)) {
    for (const [actionId, entry] of Object.entries(actions)) {
      const el = root.querySelector(`[data-block="${CSS.escape(blockId)}"][data-action="${CSS.escape(actionId)}"]`);
      if (!el) continue;
      if (entry.type === "plain_text_input") el.value = entry.value;
      else if (entry.type === "static_select") el.value = entry.selected_option?.value || "";
      else if (entry.type === "radio_buttons") el.querySelectorAll("input").forEach((i) => (i.checked = i.value === entry.selected_option?.value));
      else if (entry.type === "checkboxes") {
        const on = new Set(entry.selected_options.map((o) => o.value));
        el.querySelectorAll("input").forEach((i) => (i.checked = on.has(i.value)));
      }
    }
  }
}

function toast(said) {
  const t = $("toast");
  t.textContent = said;
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (t.hidden = true), 4000);
}

async function send(route, body) {
  const answer = await fetch(`/api/${route}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ as: state.me, ...body }) });
  const said = await answer.json();
  if (!answer.ok) toast(said.error || `HTTP ${answer.status}`);
  else if (said.status !== 200) toast(`Flare's Slack app answered HTTP ${said.status}`);
  poll(true);
  return said;
}

function drawSlack(d) {
  drawStory(d.story);
  drawSidebar(d);
  drawMessages(d);
  drawModal(d);
}

function wireSlack() {
  const people = $("as");
  document.addEventListener("click", (ev) => {
    const target = ev.target.closest("button");
    if (!target) return;
    if (target.dataset.thread) {
      const key = target.dataset.thread;
      state.openThreads.has(key) ? state.openThreads.delete(key) : state.openThreads.add(key);
      drawSlack(state.data);
    } else if (target.dataset.channel && target.classList.contains("chan")) {
      state.channel = target.dataset.channel;
      drawSlack(state.data);
    } else if (target.dataset.close !== undefined) {
      send("close", { view_id: $("modal").dataset.view });
    } else if (target.dataset.action && target.closest(".msg")) {
      if (target.dataset.confirm && !window.confirm(target.dataset.confirm)) return;
      const msg = target.closest(".msg");
      target.disabled = true;
      send("click", { channel: msg.dataset.channel, ts: msg.dataset.ts, block_id: target.dataset.block, action_id: target.dataset.action });
    }
  });
  document.addEventListener("change", (ev) => {
    const el = ev.target;
    if (el.classList.contains("select") && el.closest(".msg")) {
      const msg = el.closest(".msg");
      send("click", { channel: msg.dataset.channel, ts: msg.dataset.ts, block_id: el.dataset.block, action_id: el.dataset.action, selected: el.value });
    }
  });
  let typing = null;
  document.addEventListener("input", (ev) => {
    const el = ev.target;
    if (!el.hasAttribute("data-dispatch")) return;
    clearTimeout(typing);
    typing = setTimeout(() => {
      send("type", { view_id: $("modal").dataset.view, block_id: el.dataset.block, action_id: el.dataset.action, values: readValues($("modal")) });
    }, 500);
  });
  document.addEventListener("submit", (ev) => {
    ev.preventDefault();
    clearTimeout(typing);
    const form = ev.target;
    form.querySelector('button[type="submit"]').disabled = true;
    send("submit", { view_id: form.dataset.view, values: readValues(form) }).then((said) => {
      const button = form.querySelector('button[type="submit"]');
      if (button) button.disabled = false;
      const errors = said.answer?.errors || {};
      for (const [blockId, why] of Object.entries(errors)) {
        const slot = form.querySelector(`[data-error="${CSS.escape(blockId)}"]`);
        if (slot) slot.innerHTML = mrkdwn(why);
      }
    });
  });
  people.addEventListener("change", () => {
    state.me = people.value;
    localStorage.setItem("flare-demo-as", state.me);
    state.version = "";
    state.modalKey = "";
    if (state.channel.startsWith("D")) state.channel = "#social-care";
    poll(true);
  });
}

// The menu says who has DMs from Flare waiting (a page to PR shows there first).
function fillCast(cast, waiting) {
  const people = $("as");
  const label = (p) => {
    const n = waiting[`D${p.id.replace(/^[UW]+/, "")}`] || 0;
    return `${p.name} (${p.role})${n ? ` · ${n} DM${n === 1 ? "" : "s"}` : ""}`;
  };
  if (!people.options.length) {
    people.innerHTML = cast.map((p) => `<option value="${esc(p.id)}"></option>`).join("");
    people.value = state.me;
  }
  cast.forEach((p, i) => (people.options[i].textContent = label(p)));
}

// X side ----------------------------------------------------------------------------------------
function post(p, reply) {
  const kind = p.kind === "statement" ? '<span class="tag">statement</span>' : "";
  const replies = (p.replies || []).map((r) => post(r, true)).join("");
  return `<article class="post${reply ? " reply" : ""}${p.author_id === "9001" ? " brand" : ""}" id="post-${esc(p.id)}"><div class="who"><b>${esc(p.name)}</b> @${esc(p.username)} ${kind}</div><div class="text">${esc(p.text)}</div>${replies}</article>`;
}

function drawX(d) {
  const first = !$("timeline").children.length;
  $("timeline").innerHTML = d.posts.length ? d.posts.map((p) => post(p, false)).join("") : '<p class="empty">No posts yet.</p>';
  $("sent").innerHTML = d.sent.length
    ? d.sent
        .map((p) => {
          const above = p.answers ? `<div class="answers">in reply to @${esc(p.answers.username)}: ${esc(p.answers.text)}</div>` : "";
          const kind = p.kind === "statement" ? '<span class="tag">statement</span> ' : "";
          return `<article class="post brand sent"><div class="who"><b>${esc(p.name)}</b> @${esc(p.username)} ${kind}</div>${above}<div class="text">${esc(p.text)}</div></article>`;
        })
        .join("")
    : '<p class="empty">Nothing yet: claim a card in Slack and reply.</p>';
  $("dms").innerHTML = d.dms.length
    ? d.dms.map((m) => `<article class="post brand"><div class="who">to @${esc(m.to)}</div><div class="text">${esc(m.text)}</div></article>`).join("")
    : '<p class="empty">None yet.</p>';
  const linked = location.hash && document.getElementById(location.hash.slice(1));
  if (first && linked) {
    linked.classList.add("linked");
    linked.scrollIntoView({ block: "center" });
  }
}

// polling ----------------------------------------------------------------------------------------
let busy = false;
async function poll(force) {
  if (busy && !force) return;
  busy = true;
  try {
    const isX = document.body.dataset.page === "x";
    const answer = await fetch(isX ? "/api/x" : `/api/state?as=${encodeURIComponent(state.me)}`, { cache: "no-store" });
    const d = await answer.json();
    if (d.version !== state.version || force) {
      state.version = d.version;
      state.data = d;
      if (isX) drawX(d);
      else {
        if (!state.me) state.me = d.as;
        fillCast(d.cast, d.dms_waiting || {});
        drawSlack(d);
      }
    }
    document.body.dataset.version = d.version;
    delete document.body.dataset.offline;
  } catch (err) {
    document.body.dataset.offline = "1";
  } finally {
    busy = false;
  }
}

if (document.body.dataset.page === "slack") {
  state.me = new URLSearchParams(location.search).get("as") || localStorage.getItem("flare-demo-as") || "";
  wireSlack();
}
poll(true);
setInterval(poll, POLL_MS);
