// The web chat page: talks to /chat/api/messages and shows the bot's replies.
// Everything the bot sends is put on the page with DOM nodes and textContent, never as HTML.
"use strict";

(function () {
  const API = "/chat/api/messages";
  const NAME_KEY = "dtlbot.webchat.name";
  const LAST_KEY = "dtlbot.webchat.last.";
  const SAFE_PROTOCOLS = ["http:", "https:", "mailto:"];
  const IMAGE_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"];
  const INLINE = [
    ["code", /`([^`]+)`/],
    ["link", /\[([^\]]+)\]\(([^)\s]+)\)/],
    ["bold", /\*\*(.+?)\*\*/],
    ["italic", /(?<![\w*])_(.+?)_(?!\w)/],
  ];

  const $ = (id) => document.getElementById(id);
  let user = null;
  let info = { open_admin: false };
  let events = null;
  let formSeq = 0;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function normalise(name) {
    return name.split(/\s+/).filter(Boolean).join(" ").toLowerCase();
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
        parent.append(text);
        return;
      }
      const { kind, m } = best;
      if (m.index > 0) parent.append(text.slice(0, m.index));
      if (kind === "code") {
        parent.append(el("code", "", m[1]));
      } else if (kind === "link") {
        const href = safeUrl(m[2]);
        if (href) {
          const a = el("a");
          a.href = href;
          a.target = "_blank";
          a.rel = "noopener noreferrer";
          inline(m[1], a);
          parent.append(a);
        } else {
          parent.append(`${m[1]} (${m[2]})`);
        }
      } else {
        const node = el(kind === "bold" ? "strong" : "em");
        inline(m[1], node);
        parent.append(node);
      }
      text = text.slice(m.index + m[0].length);
    }
  }

  // Lines starting with "- " become a list; other lines become paragraphs.
  function renderText(text, parent) {
    let list = null;
    for (const line of text.split("\n")) {
      if (line.startsWith("- ")) {
        if (list === null) {
          list = el("ul");
          parent.append(list);
        }
        const item = el("li");
        inline(line.slice(2), item);
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

  function renderButtons(buttons, parent) {
    const row = el("div", "buttons");
    for (const button of buttons) {
      const href = button.url ? safeUrl(button.url) : null;
      if (href) {
        const a = el("a", "button", button.label);
        a.href = href;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        row.append(a);
        continue;
      }
      const b = el("button", button.style || "", button.label);
      b.type = "button";
      b.addEventListener("click", () => {
        send({ action: { id: button.action.id, value: button.action.value || "" } }, button.label);
      });
      row.append(b);
    }
    parent.append(row);
  }

  function renderImage(image, parent) {
    const img = el("img");
    const mime = IMAGE_TYPES.includes(image.mime) ? image.mime : "image/png";
    img.src = `data:${mime};base64,${image.data}`;
    img.alt = image.alt || "";
    // A tap opens the full-size image in a new tab (a blob: URL: browsers refuse data: tabs).
    const bytes = Uint8Array.from(atob(image.data), (c) => c.charCodeAt(0));
    const link = el("a", "image-link");
    link.href = URL.createObjectURL(new Blob([bytes], { type: mime }));
    link.target = "_blank";
    link.rel = "noopener";
    link.title = "Open the full-size image";
    link.append(img);
    parent.append(link);
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
      control = el("input");
      control.type = "text";
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
      for (const control of node.querySelectorAll("select, input")) values[control.name] = control.value;
      send({ action: { id: form.id, values } }, `${form.submit_label || "Submit"}: ${form.title}`,
           { form: node, formId: form.id, values });
    });
    node.firstInvalid = firstInvalid;
    return node;
  }

  function hasErrors(form) {
    return Boolean(form.error) || form.fields.some((f) => f.error);
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
      return;
    }
    const kind = (options.proactive ? "bot proactive" : "bot") + (reply.form ? " has-form" : "");
    const box = addMessage(kind, (box) => {
      if (options.proactive) box.append(el("span", "from", "Message from the bot"));
      if (reply.text) renderText(reply.text, box);
      if (reply.image) renderImage(reply.image, box);
      if (reply.file) renderFile(reply.file, box);
      if (reply.buttons && reply.buttons.length) renderButtons(reply.buttons, box);
      if (reply.form) box.append(renderForm(reply.form, {}));
    });
    // A new form is shown from its top, not scrolled to its last field.
    if (reply.form && options.view) options.view.top = box;
  }

  function setStatus(text) {
    $("status").textContent = text || "";
  }

  async function send(body, echo, submitted) {
    setStatus("");
    const view = {};
    if (!(submitted && submitted.form.echoBox)) {
      const echoBox = addMessage("me", (box) => box.append(echo));
      if (submitted) submitted.form.echoBox = echoBox;
    }
    const typing = el("p", "typing", "The bot is typing…");
    $("log").append(typing);
    scrollDown();
    try {
      const response = await fetch(API, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ user, ...body }),
      });
      const data = await response.json().catch(() => ({}));
      if (!response.ok) {
        setStatus(data.error || `The bot could not answer (HTTP ${response.status}).`);
        return;
      }
      for (const reply of data.replies || []) showReply(reply, { submitted, view });
      if (submitted && !submitted.replaced) {
        for (const control of submitted.form.querySelectorAll("select, input, button")) {
          control.disabled = true;
        }
        submitted.form.append(el("p", "done", "Sent."));
      }
    } catch (e) {
      setStatus("Could not reach the bot. Check that it is still running, then try again.");
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
    const after = localStorage.getItem(LAST_KEY + user.id) || "0";
    const query = `user=${encodeURIComponent(user.id)}&after=${encodeURIComponent(after)}`;
    events = new EventSource(`/chat/api/events?${query}`);
    events.onmessage = (event) => {
      const data = JSON.parse(event.data);
      localStorage.setItem(LAST_KEY + user.id, String(data.id));
      for (const reply of data.replies) showReply(reply, { proactive: true });
    };
  }

  async function loadInfo() {
    const query = user ? `?user=${encodeURIComponent(user.id)}` : "";
    try {
      const response = await fetch(`/chat/api/info${query}`);
      info = await response.json();
    } catch (e) {
      setStatus("Could not reach the bot. Check that it is still running, then reload.");
    }
    $("demo-notice").hidden = !info.open_admin;
  }

  async function start(name) {
    user = { id: normalise(name), name: name.trim().replace(/\s+/g, " ") };
    localStorage.setItem(NAME_KEY, user.name);
    await loadInfo();
    $("who-name").textContent = user.name;
    $("who-role").textContent = info.organiser ? " (organiser)" : "";
    $("who").hidden = false;
    $("name-step").hidden = true;
    $("chat-step").hidden = false;
    $("composer-wrap").hidden = false;
    $("log").replaceChildren();
    if (info.welcome) showReply(info.welcome);
    for (const note of info.notes || []) showReply(note);
    listen();
    $("message").focus();
  }

  function askName() {
    if (events) events.close();
    events = null;
    user = null;
    localStorage.removeItem(NAME_KEY);
    $("who").hidden = true;
    $("chat-step").hidden = true;
    $("composer-wrap").hidden = true;
    $("name-step").hidden = false;
    $("name-input").focus();
  }

  document.addEventListener("DOMContentLoaded", async () => {
    $("name-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const name = $("name-input").value.trim();
      if (!normalise(name)) {
        $("name-error").textContent = "Type your name to start.";
        $("name-input").setAttribute("aria-invalid", "true");
        return;
      }
      $("name-error").textContent = "";
      $("name-input").removeAttribute("aria-invalid");
      start(name);
    });
    $("composer").addEventListener("submit", (event) => {
      event.preventDefault();
      const input = $("message");
      const text = input.value.trim();
      if (!text) return;
      input.value = "";
      send({ text }, text);
    });
    $("change-name").addEventListener("click", askName);
    const saved = localStorage.getItem(NAME_KEY);
    if (saved && normalise(saved)) {
      await start(saved);
    } else {
      await loadInfo();
      $("name-input").focus();
    }
  });
})();
