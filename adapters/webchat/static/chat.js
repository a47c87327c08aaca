// The web chat page: talks to /chat/api/messages and shows the bot's replies.
// Everything the bot sends is put on the page with DOM nodes and textContent, never as HTML.
"use strict";

(function () {
  const API = "/chat/api/messages";
  const NAME_KEY = "dtlbot.webchat.name";
  const LAST_KEY = "dtlbot.webchat.last.";
  const TOKEN_KEY = "dtlbot.webchat.token.";
  const HISTORY_KEY = "dtlbot.webchat.history.";
  const SCROLL_KEY = "dtlbot.webchat.scroll.";
  const BANNER_KEY = "dtlbot.webchat.banner-hidden";
  const HISTORY_ENTRIES = 60;
  const HISTORY_CHARS = 1500000;
  const SAFE_PROTOCOLS = ["http:", "https:", "mailto:"];
  const IMAGE_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"];
  // Emoji at the start of a button label, drawn with shipped icons (a browser without an
  // emoji font would show an empty box); other leading emoji are dropped, the words stay.
  const ICONS = { "\u{1F44D}": "/chat/static/thumb-up.svg", "\u{1F44E}": "/chat/static/thumb-down.svg" };
  const LEADING_EMOJI = /^(\p{Extended_Pictographic})\uFE0F?\s*/u;
  const NUMBERED = /^(?:- )?(\d{1,3})\. (.*)$/;
  const INLINE = [
    ["code", /`([^`]+)`/],
    ["link", /\[([^\]]+)\]\(([^)\s]+)\)/],
    ["bold", /\*\*(.+?)\*\*/],
    ["italic", /(?<![\w*])_(.+?)_(?!\w)/],
  ];

  // A backslash before one of these shows the character itself, never markup: the bot escapes
  // what people typed this way (bot/kernel/markup.py `literal`). While the patterns above run,
  // each escaped character stands in as a private-use character they cannot match.
  const SPECIAL = "\\`*_[]~<->#+";
  const ESCAPED = /\\([\\`*_\[\]~<\->#+])/g;
  const STAND_IN = new RegExp(`[\\u{F0000}-\\u{${(0xF0000 + SPECIAL.length - 1).toString(16)}}]`, "gu");
  const protect = (text) =>
    text.replace(ESCAPED, (m, c) => String.fromCodePoint(0xF0000 + SPECIAL.indexOf(c)));
  const restore = (text) =>
    text.replace(STAND_IN, (c) => SPECIAL[c.codePointAt(0) - 0xF0000]);

  const $ = (id) => document.getElementById(id);
  let user = null; // {id, name} as the server folds the typed name
  let info = { open_admin: false };
  let events = null;
  let formSeq = 0;
  let history = [];

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Local storage can be full or switched off: the chat still works, it just forgets.
  function store(key, value) {
    try {
      if (value === null) localStorage.removeItem(key);
      else localStorage.setItem(key, value);
      return true;
    } catch (e) {
      return false;
    }
  }

  function stored(key) {
    try {
      return localStorage.getItem(key);
    } catch (e) {
      return null;
    }
  }

  function safeUrl(raw) {
    try {
      const url = new URL(raw, window.location.href);
      return SAFE_PROTOCOLS.includes(url.protocol) ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  // The Markdown subset: **bold**, _italic_, `code`, [text](url).
  function inline(text, parent) {
    while (text) {
      let best = null;
      for (const [kind, re] of INLINE) {
        const m = re.exec(text);
        if (m && (best === null || m.index < best.m.index)) best = { kind, m };
      }
      if (best === null) {
        parent.append(restore(text));
        return;
      }
      const { kind, m } = best;
      if (m.index > 0) parent.append(restore(text.slice(0, m.index)));
      if (kind === "code") {
        parent.append(el("code", "", restore(m[1])));
      } else if (kind === "link") {
        const href = safeUrl(restore(m[2]));
        if (href) {
          const a = el("a");
          a.href = href;
          a.target = "_blank";
          a.rel = "noopener noreferrer";
          inline(m[1], a);
          parent.append(a);
        } else {
          parent.append(restore(`${m[1]} (${m[2]})`));
        }
      } else {
        const node = el(kind === "bold" ? "strong" : "em");
        inline(m[1], node);
        parent.append(node);
      }
      text = text.slice(m.index + m[0].length);
    }
  }

  // "- " lines become a list, "1. " (or "- 1. ") lines a numbered list; others paragraphs.
  function renderText(text, parent) {
    let list = null;
    for (const line of protect(text).split("\n")) {
      const numbered = NUMBERED.exec(line);
      const kind = numbered ? "ol" : line.startsWith("- ") ? "ul" : null;
      if (kind) {
        if (list === null || list.tagName.toLowerCase() !== kind) {
          list = el(kind);
          if (numbered && numbered[1] !== "1") list.start = Number(numbered[1]);
          parent.append(list);
        }
        const item = el("li");
        if (numbered) item.value = Number(numbered[1]);
        inline(numbered ? numbered[2] : line.slice(2), item);
        list.append(item);
        continue;
      }
      list = null;
      if (!line.trim()) continue;
      const p = el("p");
      inline(line, p);
      parent.append(p);
    }
  }

  function scrollDown() {
    const main = $("main");
    main.scrollTop = main.scrollHeight;
  }

  function addMessage(who, build) {
    const box = el("div", `msg ${who}`);
    build(box);
    $("log").append(box);
    scrollDown();
    return box;
  }

  // The conversation, kept per name in this browser so a reload shows it again.
  function remember(entry) {
    if (!user) return;
    history.push(entry);
    if (history.length > HISTORY_ENTRIES) history = history.slice(-HISTORY_ENTRIES);
    let json = JSON.stringify(history);
    while ((json.length > HISTORY_CHARS || !store(HISTORY_KEY + user.id, json)) && history.length > 1) {
      history = history.slice(Math.ceil(history.length / 4));
      json = JSON.stringify(history);
    }
  }

  function forgetLocally(id) {
    for (const key of [HISTORY_KEY, SCROLL_KEY, TOKEN_KEY, LAST_KEY]) store(key + id, null);
  }

  function label(button, node) {
    const m = LEADING_EMOJI.exec(button.label);
    const text = m ? button.label.slice(m[0].length) : button.label;
    if (m && ICONS[m[1]]) {
      const icon = el("img", "icon");
      icon.src = ICONS[m[1]];
      icon.alt = "";
      icon.width = 18;
      icon.height = 18;
      node.append(icon);
    }
    node.append(text || button.label);
  }

  // One row per run of buttons of the same kind: related topics apart from feedback.
  function renderButtons(buttons, parent) {
    let row = null;
    let kind = null;
    for (const button of buttons) {
      const href = button.url ? safeUrl(button.url) : null;
      const next = href ? "link" : button.action.id;
      if (row === null || next !== kind) {
        row = el("div", "buttons");
        parent.append(row);
        kind = next;
      }
      if (href) {
        const a = el("a", "button");
        label(button, a);
        a.href = href;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        row.append(a);
        continue;
      }
      const b = el("button", button.style || "");
      label(button, b);
      b.type = "button";
      b.addEventListener("click", () => {
        send({ action: { id: button.action.id, value: button.action.value || "" } },
             b.textContent);
      });
      row.append(b);
    }
  }

  function openImage(src, alt) {
    const dialog = $("image-view");
    const img = $("image-full");
    img.src = src;
    img.alt = alt;
    $("image-caption").textContent = alt;
    dialog.showModal();
    $("image-close").focus();
  }

  function renderImage(image, parent) {
    const img = el("img");
    const mime = IMAGE_TYPES.includes(image.mime) ? image.mime : "image/png";
    img.src = `data:${mime};base64,${image.data}`;
    img.alt = image.alt || "";
    const open = el("button", "image-open");
    open.type = "button";
    open.title = "Open full size";
    open.append(img);
    open.addEventListener("click", () => openImage(img.src, img.alt));
    parent.append(open);
  }

  function renderFile(file, parent) {
    const bytes = Uint8Array.from(atob(file.data), (c) => c.charCodeAt(0));
    const blob = new Blob([bytes], { type: file.mime || "application/octet-stream" });
    const a = el("a", "button", `Download ${file.filename}`);
    a.href = URL.createObjectURL(blob);
    a.download = file.filename;
    if (file.title) a.title = file.title;
    const row = el("div", "buttons");
    row.append(a);
    parent.append(row);
  }

  function fieldControl(field, id, chosen) {
    let control;
    if (Array.isArray(field.options)) {
      control = el("select");
      const placeholder = el("option", "", "Choose…");
      placeholder.value = "";
      control.append(placeholder);
      for (const option of field.options) {
        const o = el("option", "", option.label);
        o.value = option.value;
        control.append(o);
      }
    } else {
      control = el(field.multiline ? "textarea" : "input");
      if (!field.multiline) control.type = "text";
      control.maxLength = field.max_length || 200;
    }
    control.id = id;
    control.name = field.id;
    if (field.required) control.setAttribute("aria-required", "true");
    const value = field.initial ?? chosen[field.id];
    if (value !== undefined && value !== null) control.value = value;
    return control;
  }

  // Items a form puts in order (form.orders: fields of places 1..n), as a list people reorder
  // with buttons or Alt+ArrowUp/ArrowDown; returns field id -> its place, kept current.
  function renderOrder(form, chosen, n, parent) {
    const places = new Map();
    const ids = form.orders || [];
    const fields = form.fields.filter((f) => ids.includes(f.id));
    if (!fields.length) return places;
    const placeOf = (f) => Number(f.initial ?? chosen[f.id]) || Infinity;
    const items = fields
      .map((f, index) => ({ field: f, index }))
      .sort((a, b) => placeOf(a.field) - placeOf(b.field) || a.index - b.index)
      .map((x) => x.field);
    const box = el("div", "order");
    const title = el("p", "order-title", "Put them in your order, most important first:");
    title.id = `form${n}-order-title`;
    const list = el("ol", "order-list");
    list.setAttribute("aria-labelledby", title.id);
    const status = el("p", "order-status");
    status.setAttribute("aria-live", "polite");
    const errors = fields.filter((f) => f.error).map((f) => f.error);
    box.append(title, list, status);
    if (errors.length) {
      const err = el("p", "field-error", errors[0]);
      err.tabIndex = -1;
      box.append(err);
    }
    parent.append(box);
    const sync = () => {
      [...list.children].forEach((li, i) => {
        places.set(li.dataset.field, String(i + 1));
        li.querySelector(".place").textContent = `${i + 1}.`;
        const input = parent.querySelector(`input[data-order="${CSS.escape(li.dataset.field)}"]`);
        if (input) input.value = String(i + 1);
        li.querySelector(".up").disabled = i === 0;
        li.querySelector(".down").disabled = i === list.children.length - 1;
      });
    };
    const move = (li, step) => {
      const target = step < 0 ? li.previousElementSibling : li.nextElementSibling;
      if (!target) return;
      if (step < 0) list.insertBefore(li, target);
      else list.insertBefore(target, li);
      sync();
      const label = li.querySelector(".name").textContent;
      status.textContent = `${label} is now number ${li.querySelector(".place").textContent.replace(".", "")}.`;
    };
    for (const field of items) {
      const li = el("li", "order-item");
      li.dataset.field = field.id;
      li.tabIndex = 0;
      const name = field.group || field.label;
      li.append(el("span", "place"), el("span", "name", name));
      const up = el("button", "up", "↑");
      up.type = "button";
      up.setAttribute("aria-label", `Move ${name} up`);
      up.addEventListener("click", () => { move(li, -1); (up.disabled ? li : up).focus(); });
      const down = el("button", "down", "↓");
      down.type = "button";
      down.setAttribute("aria-label", `Move ${name} down`);
      down.addEventListener("click", () => { move(li, 1); (down.disabled ? li : down).focus(); });
      li.addEventListener("keydown", (event) => {
        if (event.target !== li || !event.altKey) return;
        if (event.key === "ArrowUp" || event.key === "ArrowDown") {
          event.preventDefault();
          move(li, event.key === "ArrowUp" ? -1 : 1);
          li.focus();
        }
      });
      li.append(up, down);
      // Dragging with a mouse also works (touch screens use the buttons).
      li.draggable = true;
      li.addEventListener("dragstart", (event) => {
        list.dragged = li;
        event.dataTransfer.effectAllowed = "move";
      });
      li.addEventListener("dragover", (event) => {
        if (list.dragged && list.dragged !== li) event.preventDefault();
      });
      li.addEventListener("drop", (event) => {
        event.preventDefault();
        const dragged = list.dragged;
        list.dragged = null;
        if (!dragged || dragged === li) return;
        const after = [...list.children].indexOf(dragged) < [...list.children].indexOf(li);
        list.insertBefore(dragged, after ? li.nextElementSibling : li);
        sync();
        status.textContent = `${dragged.querySelector(".name").textContent} is now number ${dragged.querySelector(".place").textContent.replace(".", "")}.`;
      });
      list.append(li);
    }
    sync();
    return places;
  }

  function renderForm(form, chosen) {
    const n = ++formSeq;
    const node = el("form", "botform");
    node.noValidate = true;
    const fieldset = el("fieldset");
    fieldset.append(el("legend", "", form.title));
    if (form.intro) {
      const intro = el("div", "intro");
      renderText(form.intro, intro);
      fieldset.append(intro);
    }
    let firstInvalid = null;
    if (form.error) {
      const err = el("p", "form-error", form.error);
      err.tabIndex = -1;
      err.setAttribute("role", "alert");
      fieldset.append(err);
    }
    const ordered = renderOrder(form, chosen, n, fieldset);
    let group = null;
    let groupBox = fieldset;
    for (const field of form.fields) {
      // Consecutive fields with one group label share a box with that label as its legend.
      if (field.group && (!group || group.label !== field.group)) {
        group = { label: field.group };
        groupBox = el("fieldset", "group");
        groupBox.append(el("legend", "", field.group));
        fieldset.append(groupBox);
      } else if (!field.group) {
        group = null;
        groupBox = fieldset;
      }
      const id = `form${n}-${field.id}`;
      if (ordered.has(field.id)) {
        // Its place comes from the list above: kept as a hidden value, submitted as typed.
        const hidden = el("input");
        hidden.type = "hidden";
        hidden.name = field.id;
        hidden.value = ordered.get(field.id);
        hidden.dataset.order = field.id;
        groupBox.append(hidden);
        continue;
      }
      const wrap = el("div", "field");
      const label = el("label", "", field.label + (field.required ? "" : " (optional)"));
      label.htmlFor = id;
      const control = fieldControl(field, id, chosen);
      wrap.append(label, control);
      if (field.error) {
        const err = el("p", "field-error", field.error);
        err.id = `${id}-error`;
        control.setAttribute("aria-invalid", "true");
        control.setAttribute("aria-describedby", err.id);
        wrap.append(err);
        firstInvalid = firstInvalid || control;
      }
      groupBox.append(wrap);
    }
    const submit = el("button", "primary", form.submit_label || "Submit");
    submit.type = "submit";
    fieldset.append(submit);
    if (form.text_hint) {
      const hint = el("div", "hint");
      renderText(form.text_hint, hint);
      fieldset.append(hint);
    }
    node.append(fieldset);
    node.addEventListener("submit", (event) => {
      event.preventDefault();
      const values = {};
      for (const control of node.querySelectorAll("select, input, textarea")) {
        values[control.name] = control.value;
      }
      send({ action: { id: form.id, values } }, `${form.submit_label || "Submit"}: ${form.title}`,
           { form: node, formId: form.id, values });
    });
    node.firstInvalid = firstInvalid;
    return node;
  }

  function hasErrors(form) {
    return Boolean(form.error) || form.fields.some((f) => f.error);
  }

  function drawReply(reply, options = {}) {
    const kind = (options.proactive ? "bot proactive" : "bot") + (reply.form ? " has-form" : "");
    return addMessage(kind, (box) => {
      if (options.proactive) box.append(el("span", "from", "Message from the bot"));
      if (reply.text) renderText(reply.text, box);
      if (reply.image) renderImage(reply.image, box);
      if (reply.file) renderFile(reply.file, box);
      if (reply.buttons && reply.buttons.length) renderButtons(reply.buttons, box);
      if (reply.form) box.append(renderForm(reply.form, {}));
    });
  }

  function showReply(reply, options = {}) {
    // A form sent back with errors for the one just submitted replaces it where it stands.
    const pending = options.submitted;
    if (pending && reply.form && reply.form.id === pending.formId && hasErrors(reply.form)) {
      const fresh = renderForm(reply.form, pending.values);
      fresh.echoBox = pending.form.echoBox;  // a retry reuses the one "Submit" bubble
      pending.form.replaceWith(fresh);
      pending.replaced = true;
      // The first error (or the form's own message) is brought into view, with focus on it.
      pending.focusTarget = fresh.firstInvalid || fresh.querySelector(".form-error, select, input");
      pending.focusTarget?.focus({ preventScroll: true });
      if (reply.text) addMessage("bot", (box) => renderText(reply.text, box));
      return null;
    }
    const box = drawReply(reply, options);
    // A new form is shown from its top, not scrolled to its last field.
    if (reply.form && options.view) options.view.top = box;
    remember({ who: "bot", reply, proactive: Boolean(options.proactive) });
    return box;
  }

  function setStatus(text) {
    $("status").textContent = text || "";
  }

  function tokenOf(id) {
    return stored(TOKEN_KEY + id);
  }

  async function send(body, echo, submitted, typed) {
    setStatus("");
    const view = {};
    // One "Submit" bubble per form, however often it is sent.
    let mine = submitted && submitted.form.echoBox;
    const echoed = !mine;
    if (echoed) {
      mine = addMessage("me", (box) => box.append(echo));
      if (submitted) submitted.form.echoBox = mine;
    }
    const typing = el("p", "typing", "The bot is typing…");
    $("log").append(typing);
    scrollDown();
    const sender = user;
    const token = tokenOf(sender.id);
    const notSent = (message) => {
      if (!mine.classList.contains("not-sent")) mine.append(el("span", "note", "Not sent"));
      mine.classList.add("not-sent");
      // What was typed goes back in the box, to send again.
      if (typed !== undefined && !$("message").value) $("message").value = typed;
      setStatus(message);
    };
    try {
      const response = await fetch(API, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ user: { ...sender, ...(token ? { token } : {}) }, ...body }),
      });
      const data = await response.json().catch(() => ({}));
      if (!response.ok) {
        notSent(data.error || `The bot could not answer (HTTP ${response.status}).`);
        return;
      }
      mine.classList.remove("not-sent");  // a form sent again after a failure
      mine.querySelector(".note")?.remove();
      if (echoed) remember({ who: "me", text: echo });
      if (data.token) {
        store(TOKEN_KEY + sender.id, data.token);
        listen();
      }
      let form = null;
      for (const reply of data.replies || []) {
        const box = showReply(reply, { submitted, view });
        form = box?.querySelector("form.botform") || form;
      }
      if (submitted && !submitted.replaced) {
        for (const control of submitted.form.querySelectorAll("select, input, textarea, button")) {
          control.disabled = true;
        }
        submitted.form.append(el("p", "done", "Sent."));
        $("message").focus();
      }
      // A form the person asked for is where they go next (keyboard and screen reader too).
      if (form && !(submitted && submitted.replaced)) {
        form.querySelector(".order-item, select, input:not([type=hidden]), textarea")?.focus();
      }
      if (data.released) {
        // `forget me`: nothing about this name stays in this browser either.
        if (events) events.close();
        events = null;
        forgetLocally(sender.id);
        history = [];
        store(NAME_KEY, null);
      }
    } catch (e) {
      notSent("Could not reach the bot. Check that it is still running, then try again.");
    } finally {
      typing.remove();
      scrollDown();
      if (submitted && submitted.replaced && submitted.focusTarget) {
        submitted.focusTarget.scrollIntoView({ block: "center" });
      } else if (view.top) {
        view.top.scrollIntoView({ block: "start" });
      }
    }
  }

  function listen() {
    if (events) events.close();
    events = null;
    const token = user && tokenOf(user.id);
    if (!token) return; // a name's first message brings its token
    const after = stored(LAST_KEY + user.id) || "0";
    const query = new URLSearchParams({ user: user.id, token, after });
    const id = user.id;
    events = new EventSource(`/chat/api/events?${query}`);
    events.onmessage = (event) => {
      const data = JSON.parse(event.data);
      if (!user || user.id !== id) return;
      store(LAST_KEY + id, String(data.id));
      for (const reply of data.replies) showReply(reply, { proactive: true });
    };
  }

  async function getInfo(name, token) {
    const query = new URLSearchParams();
    if (name) query.set("user", name);
    if (token) query.set("token", token);
    const response = await fetch(`/chat/api/info?${query}`);
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
    return data;
  }

  // What the server says about a name: how it folds it, whether this browser holds it.
  async function loadInfo(name) {
    try {
      let data = await getInfo(name, null);
      const token = data.user && tokenOf(data.user.id);
      if (token) data = await getInfo(name, token);
      info = data;
    } catch (e) {
      info = { open_admin: info.open_admin, failed: e.message };
    }
    showBanner();
    return info;
  }

  function showBanner() {
    $("demo-notice").hidden = !info.open_admin || stored(BANNER_KEY) === "1";
  }

  function restoreHistory() {
    let saved = [];
    try {
      saved = JSON.parse(stored(HISTORY_KEY + user.id) || "[]");
    } catch (e) {
      saved = [];
    }
    history = Array.isArray(saved) ? saved : [];
    for (const entry of history) {
      if (entry.who === "me") addMessage("me", (box) => box.append(String(entry.text)));
      else if (entry.reply) drawReply(entry.reply, { proactive: entry.proactive });
    }
    const top = stored(SCROLL_KEY + user.id);
    if (top !== null) $("main").scrollTop = Number(top);
  }

  function nameProblem(text) {
    $("name-step").hidden = false;
    $("name-error").textContent = text;
    $("name-input").setAttribute("aria-invalid", "true");
    $("name-input").focus();
  }

  async function start(typed) {
    const data = await loadInfo(typed);
    if (data.failed) {
      nameProblem(`Could not reach the bot (${data.failed}). Check that it is still running, then try again.`);
      return false;
    }
    if (data.name_in_use) {
      nameProblem(data.in_use_message);
      return false;
    }
    $("name-error").textContent = "";
    $("name-input").removeAttribute("aria-invalid");
    user = { id: data.user.id, name: data.user.name };
    store(NAME_KEY, user.name);
    $("who-name").textContent = user.name;
    $("who-role").textContent = data.organiser ? " (organiser)" : "";
    $("who").hidden = false;
    $("name-step").hidden = true;
    $("chat-step").hidden = false;
    $("composer-wrap").hidden = false;
    $("log").replaceChildren();
    restoreHistory();
    if (!history.length) {
      if (data.welcome) showReply(data.welcome);
      // What features add to the introduction (e.g. a poll open now), after it.
      for (const note of data.notes || []) showReply(note);
    }
    listen();
    $("message").focus();
    return true;
  }

  function askName() {
    if (events) events.close();
    events = null;
    if (user) {
      // Someone else may use this browser next: the conversation goes; the name's token
      // stays, so this person can come back to their name here.
      store(HISTORY_KEY + user.id, null);
      store(SCROLL_KEY + user.id, null);
    }
    history = [];
    user = null;
    store(NAME_KEY, null);
    $("log").replaceChildren();
    $("who").hidden = true;
    $("chat-step").hidden = true;
    $("composer-wrap").hidden = true;
    $("name-step").hidden = false;
    $("name-input").value = "";
    $("name-input").focus();
  }

  document.addEventListener("DOMContentLoaded", async () => {
    $("name-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const name = $("name-input").value.trim();
      if (!name) {
        nameProblem("Type your name to start.");
        return;
      }
      start(name);
    });
    $("composer").addEventListener("submit", (event) => {
      event.preventDefault();
      const input = $("message");
      const text = input.value.trim();
      if (!text) return;
      input.value = "";
      send({ text }, text, undefined, text);
    });
    $("change-name").addEventListener("click", askName);
    $("hide-notice").addEventListener("click", () => {
      store(BANNER_KEY, "1");
      showBanner();
      (user ? $("message") : $("name-input")).focus();
    });
    $("image-close").addEventListener("click", () => $("image-view").close());
    $("image-view").addEventListener("click", (event) => {
      if (event.target === $("image-view")) $("image-view").close();
    });
    let saving = null;
    $("main").addEventListener("scroll", () => {
      if (!user || saving) return;
      saving = setTimeout(() => {
        saving = null;
        // Only for a name this browser holds a token for: after `forget me`, nothing is kept.
        if (user && tokenOf(user.id)) store(SCROLL_KEY + user.id, String($("main").scrollTop));
      }, 200);
    });
    const saved = stored(NAME_KEY);
    if (saved && saved.trim()) {
      if (!(await start(saved))) store(NAME_KEY, null);
    } else {
      await loadInfo("");
      $("name-step").hidden = false;
      $("name-input").focus();
    }
  });
})();
