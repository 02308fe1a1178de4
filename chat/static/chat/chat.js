// Live chat over a WebSocket, for the public page and the agent's chat page.
//
// Nothing lost, nothing twice: every message carries its chat's sequence number; the page
// remembers the highest it has shown and, after a dropped connection, reconnects asking for
// what came after it. What the user sends waits in an outbox with its own id until the server
// acknowledges it, and is sent again (same id) after a reconnect; the server stores an id once.

const room = document.querySelector("[data-chat-room]");
const start = document.getElementById("chat-start");

// The pre-chat form needs this script to be useful, so it is shown only once the script runs.
if (start) start.hidden = false;

if (room) {
  const role = room.dataset.role;
  const list = document.getElementById("conversation");
  const status = document.getElementById("chat-status");
  const form = document.getElementById("message-form");
  const textarea = form ? form.querySelector("textarea") : null;
  const errorBox = document.getElementById("message-error") || null;
  const outbox = new Map(); // client id -> body, until acknowledged
  let lastSeq = 0;
  for (const item of list.querySelectorAll("[data-seq]")) lastSeq = Math.max(lastSeq, Number(item.dataset.seq));
  let socket = null;
  let retries = 0;
  let closed = room.dataset.status === "closed";

  const newId = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`);
  const say = (text) => { if (status) status.textContent = text; };
  const timeOf = (iso) => new Date(iso).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: "Europe/London" });

  function label(message) {
    if (message.sender === "system") return document.querySelector(".govuk-generic-header__homepage-link, .moj-header__link--organisation-name")?.textContent.trim() || "Police";
    if (role === "public") return message.sender === "public" ? "You" : (message.author || "Police staff");
    return message.sender === "public" ? "Member of the public" : (message.author || "You");
  }

  function show(message) {
    if (message.seq <= lastSeq) return; // already shown: a replay overlapping what we had
    lastSeq = message.seq;
    const item = document.createElement("li");
    item.className = `fc-chat__message fc-chat__message--${message.sender}`;
    item.dataset.seq = String(message.seq);
    const meta = document.createElement("span");
    meta.className = "fc-chat__meta";
    const hidden = document.createElement("span");
    hidden.className = "govuk-visually-hidden";
    hidden.textContent = `Message ${message.seq}, `;
    const time = document.createElement("time");
    time.dateTime = message.sent_at;
    time.textContent = timeOf(message.sent_at);
    meta.append(hidden, `${label(message)}, `, time);
    const body = document.createElement("span");
    body.className = "fc-chat__body";
    body.textContent = message.body; // text, never HTML: the other side typed it
    item.append(meta, body);
    list.append(item);
    list.scrollTop = list.scrollHeight;
    if (message.client_id) outbox.delete(message.client_id);
  }

  function flush() {
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    for (const [clientId, body] of outbox) socket.send(JSON.stringify({ type: "send", client_id: clientId, body }));
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}${room.dataset.wsPath}?after=${lastSeq}`);
    socket.addEventListener("open", () => {
      retries = 0;
      room.dataset.connected = "true";
      if (role === "agent" && !closed) say("Connected to the chat.");
      flush();
    });
    socket.addEventListener("message", (event) => {
      const data = JSON.parse(event.data);
      if (data.type === "message") show(data);
      else if (data.type === "ack") outbox.delete(data.client_id);
      else if (data.type === "queue") say(`You are number ${data.position} in the queue. The estimated wait is ${data.wait_text}.`);
      else if (data.type === "status") onStatus(data.status);
      else if (data.type === "error") showError(data.message, data.client_id);
    });
    socket.addEventListener("close", (event) => {
      room.dataset.connected = "false";
      if (closed || event.code === 4403) return;
      say("Connection lost. Reconnecting… Your messages are kept and will be sent.");
      const delay = Math.min(5000, 250 * 2 ** retries);
      retries += 1;
      setTimeout(connect, delay);
    });
  }

  function onStatus(value) {
    room.dataset.status = value;
    if (value === "active") say(role === "public" ? "You are chatting with a member of our staff." : "Connected to the chat.");
    if (value === "closed") {
      closed = true;
      say("This chat has ended.");
      if (form) form.hidden = true;
      // The page offers the transcript once the chat has ended; reload to show it.
      if (role === "public") setTimeout(() => location.reload(), 1500);
    }
  }

  function showError(message, clientId) {
    if (clientId) outbox.delete(clientId);
    if (!errorBox) { say(message); return; }
    errorBox.hidden = false;
    errorBox.innerHTML = "";
    const prefix = document.createElement("span");
    prefix.className = "govuk-visually-hidden";
    prefix.textContent = "Error: ";
    errorBox.append(prefix, message);
    document.getElementById("message-group")?.classList.add("govuk-form-group--error");
  }

  if (form && textarea && !closed) {
    form.hidden = false;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const body = textarea.value.trim();
      if (!body) { showError("Enter a message"); textarea.focus(); return; }
      if (errorBox) errorBox.hidden = true;
      document.getElementById("message-group")?.classList.remove("govuk-form-group--error");
      outbox.set(newId(), body);
      textarea.value = "";
      flush();
      textarea.focus();
    });
  }

  // Now and then ask for anything missed: news of a message can be dropped by a busy server,
  // and the last message of a conversation has no later one to reveal the gap.
  setInterval(() => {
    if (!closed && socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "sync" }));
  }, 15000);

  if (!closed) connect();
}
