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

  // Lines starting with "- " become a list; other lines become paragraphs.
  function renderText(text, parent) {
    let list = null;
    for (const line of protect(text).split("\n")) {
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
    parent.append(img);
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
      err.setAttribute("role", "alert");
      fieldset.append(err);
    }
    for (const field of form.fields) {
      const id = `form${n}-${field.id}`;
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
      fieldset.append(wrap);
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
      pending.form.replaceWith(fresh);
      pending.replaced = true;
      (fresh.firstInvalid || fresh.querySelector("select, input"))?.focus();
      if (reply.text) addMessage("bot", (box) => renderText(reply.text, box));
      return;
    }
    const kind = (options.proactive ? "bot proactive" : "bot") + (reply.form ? " has-form" : "");
    addMessage(kind, (box) => {
      if (options.proactive) box.append(el("span", "from", "Message from the bot"));
      if (reply.text) renderText(reply.text, box);
      if (reply.image) renderImage(reply.image, box);
      if (reply.file) renderFile(reply.file, box);
      if (reply.buttons && reply.buttons.length) renderButtons(reply.buttons, box);
      if (reply.form) box.append(renderForm(reply.form, {}));
    });
  }

  function setStatus(text) {
    $("status").textContent = text || "";
  }

  async function send(body, echo, submitted) {
    setStatus("");
    addMessage("me", (box) => box.append(echo));
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
      for (const reply of data.replies || []) showReply(reply, { submitted });
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
