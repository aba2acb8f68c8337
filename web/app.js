// sio demo page: sign in, rooms and chat over Socket.IO, presence, posts with likes and live
// notifications. Plain browser JavaScript; the socket.io client comes from
// /socket.io/socket.io.min.js, which sio serves as Node's socket.io does.
// Every piece of text that a user (or the server) provides goes into the page through
// textContent, never innerHTML.
"use strict";

(() => {
  const TOKEN_KEY = "sio.token";
  const ROOM_KEY = "sio.room"; // the open room, reopened after a reload
  const $ = (selector) => document.querySelector(selector);

  const els = {
    signinPanel: $("#signin-panel"),
    signinForm: $("#signin-form"),
    signinError: $("#signin-error"),
    name: $("#name"),
    admin: $("#admin"),
    tokenForm: $("#token-form"),
    tokenInput: $("#token-input"),
    session: $("#session"),
    me: $("#me"),
    meRole: $("#me-role"),
    status: $("#status"),
    signout: $("#signout"),
    error: $("#error"),
    app: $("#app"),
    rooms: $("#rooms"),
    refreshRooms: $("#refresh-rooms"),
    createRoomForm: $("#create-room-form"),
    newRoomName: $("#new-room-name"),
    newRoomPublic: $("#new-room-public"),
    online: $("#online"),
    onlineCount: $("#online-count"),
    chat: $("#chat"),
    roomTitle: $("#room-title"),
    leaveRoom: $("#leave-room"),
    addMemberForm: $("#add-member-form"),
    memberUserId: $("#member-user-id"),
    messages: $("#messages"),
    messagesEmpty: $("#messages-empty"),
    messageForm: $("#message-form"),
    messageInput: $("#message-input"),
    send: $("#send"),
    posts: $("#posts"),
    postForm: $("#post-form"),
    newPost: $("#new-post"),
    refreshPosts: $("#refresh-posts"),
    badge: $("#badge"),
    notificationsToggle: $("#notifications-toggle"),
    notificationsPanel: $("#notifications-panel"),
    notificationsClose: $("#notifications-close"),
    notifications: $("#notifications"),
    notificationsEmpty: $("#notifications-empty"),
  };

  const state = {
    token: null,
    user: null, // { id, role } from the token's payload
    socket: null,
    reconnects: 0, // successful reconnections of the Manager
    attempt: 0, // the current reconnection attempt, 0 when none
    rooms: new Map(), // id -> room
    openRoomId: null, // the room shown in the chat pane
    joined: false, // whether the socket is in openRoomId
    messageIds: new Set(), // ids shown in the chat pane
    unreadRooms: new Set(),
    online: new Set(),
    unread: new Map(), // notification id -> notification
    shownNotifications: [], // what the open panel lists
    likedPosts: new Set(),
  };

  // ---------- small helpers ----------

  function el(tag, { className, text, attrs } = {}, children = []) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (attrs) for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    for (const child of children) if (child) node.append(child);
    return node;
  }

  function toDate(value) {
    if (typeof value === "number") return new Date(value);
    if (typeof value === "string" && /^\d+$/.test(value)) return new Date(Number(value));
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? null : d;
  }

  function timeEl(value) {
    const d = toDate(value);
    if (!d) return el("time", { text: "" });
    const sameDay = d.toDateString() === new Date().toDateString();
    const text = sameDay
      ? d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
      : d.toLocaleString([], { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
    return el("time", { text, attrs: { datetime: d.toISOString(), title: d.toLocaleString() } });
  }

  let errorTimer = null;
  function showError(message, kind = "error") {
    els.error.textContent = String(message);
    els.error.dataset.kind = kind;
    els.error.hidden = false;
    clearTimeout(errorTimer);
    errorTimer = setTimeout(() => (els.error.hidden = true), 6000);
  }
  els.error.addEventListener("click", () => (els.error.hidden = true));

  // Reads the payload of a JWT without verifying it (the server does that); null if unreadable.
  function decodeToken(token) {
    try {
      const part = token.split(".")[1];
      const base64 = part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "=");
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      return JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      return null;
    }
  }

  async function api(method, path, body) {
    const headers = { Authorization: `Bearer ${state.token}` };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = text;
    }
    if (!res.ok) {
      const message = (data && (data.error || data.message)) || text || res.statusText;
      throw new Error(`${method} ${path}: ${res.status} ${message}`);
    }
    return data;
  }

  // Emits with an ack; resolves with the ack's payload, or rejects after a timeout.
  function request(event, ...args) {
    return state.socket.timeout(10000).emitWithAck(event, ...args);
  }

  // ---------- sign in / out ----------

  function showSignedOut() {
    els.signinPanel.hidden = false;
    els.session.hidden = true;
    els.app.hidden = true;
    els.notificationsPanel.hidden = true;
    els.name.focus();
  }

  async function signInWithName(event) {
    event.preventDefault();
    els.signinError.textContent = "";
    const name = els.name.value.trim();
    if (!name) return;
    let url = `/dev/token?sub=${encodeURIComponent(name)}`;
    if (els.admin.checked) url += "&role=admin";
    try {
      const res = await fetch(url);
      const data = await res.json().catch(() => null);
      if (!res.ok || !data || typeof data.token !== "string") {
        throw new Error((data && data.error) || `token request failed (${res.status})`);
      }
      start(data.token);
    } catch (err) {
      els.signinError.textContent = err.message;
    }
  }

  function signInWithToken(event) {
    event.preventDefault();
    els.signinError.textContent = "";
    const token = els.tokenInput.value.trim();
    if (token) start(token);
  }

  function start(token) {
    state.token = token;
    sessionStorage.setItem(TOKEN_KEY, token);
    const payload = decodeToken(token) || {};
    state.user = { id: payload.sub ? String(payload.sub) : "(unknown)", role: payload.role || "" };
    els.me.textContent = state.user.id;
    els.meRole.hidden = state.user.role !== "admin";
    els.signinPanel.hidden = true;
    els.session.hidden = false;
    els.app.hidden = false;
    connect();
    loadRooms();
    loadPosts();
    const savedRoom = sessionStorage.getItem(ROOM_KEY);
    if (savedRoom) openRoom(savedRoom);
  }

  function signOut() {
    if (state.socket) {
      state.socket.removeAllListeners();
      state.socket.io.removeAllListeners();
      state.socket.disconnect();
      state.socket = null;
    }
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(ROOM_KEY);
    Object.assign(state, { token: null, user: null, reconnects: 0, attempt: 0, openRoomId: null, joined: false });
    state.rooms.clear();
    state.messageIds.clear();
    state.unreadRooms.clear();
    state.online.clear();
    state.unread.clear();
    state.shownNotifications = [];
    state.likedPosts.clear();
    els.rooms.replaceChildren();
    els.posts.replaceChildren();
    els.notifications.replaceChildren();
    renderOnline();
    renderBadge();
    renderChatHeader();
    renderMessagesEmpty();
    setStatus("disconnected", "Disconnected");
    showSignedOut();
  }

  // ---------- connection ----------

  function setStatus(kind, text) {
    els.status.dataset.state = kind;
    els.status.dataset.reconnects = String(state.reconnects);
    els.status.textContent = state.reconnects > 0 && kind === "connected" ? `${text} · reconnected ×${state.reconnects}` : text;
  }

  function connect() {
    const socket = io({ auth: { token: state.token } });
    state.socket = socket;
    setStatus("connecting", "Connecting…");

    socket.on("connect", () => {
      state.attempt = 0;
      setStatus("connected", "Connected");
      state.online.add(state.user.id);
      renderOnline();
      // A new connection starts in no room: rejoin the one on screen.
      if (state.openRoomId !== null) joinRoom(state.openRoomId, { reload: true });
    });
    socket.on("disconnect", (reason) => {
      state.joined = false;
      els.chat.dataset.joined = "false";
      setStatus("disconnected", `Disconnected (${reason})`);
      state.online.clear();
      renderOnline();
      updateComposer();
    });
    socket.on("connect_error", (err) => {
      // A refusal by the server ("No token", "Invalid token") is final; a transport failure is
      // retried by the Manager, which reports each attempt.
      const message = err && err.message ? err.message : String(err);
      if (socket.active) {
        const what = state.attempt > 0 ? `Reconnecting (attempt ${state.attempt})` : "Cannot connect";
        setStatus("reconnecting", `${what}: ${message}`);
      } else {
        setStatus("error", `Refused: ${message}`);
        showError(`Connection refused: ${message}`);
      }
    });
    socket.io.on("reconnect_attempt", (attempt) => {
      state.attempt = attempt;
      setStatus("reconnecting", `Reconnecting (attempt ${attempt})`);
    });
    socket.io.on("reconnect", () => {
      state.reconnects += 1;
      state.attempt = 0;
    });
    socket.io.on("reconnect_failed", () => setStatus("error", "Gave up reconnecting"));

    socket.on("error", (message) => showError(typeof message === "string" ? message : JSON.stringify(message)));
    socket.on("message", onMessage);
    socket.on("presence", onPresence);
    socket.on("notifications", (list) => {
      state.unread.clear();
      if (Array.isArray(list)) for (const n of list) addNotification(n);
      renderBadge();
    });
    socket.on("notification", (n) => {
      addNotification(n);
      renderBadge();
      if (n && n.type === "like") loadPosts(); // one of my posts has a new like
    });
  }

  // ---------- rooms ----------

  async function loadRooms() {
    try {
      const rooms = await api("GET", "/api/rooms");
      state.rooms.clear();
      for (const room of rooms || []) state.rooms.set(String(room.id), room);
      renderRooms();
      renderChatHeader();
    } catch (err) {
      showError(err.message);
    }
  }

  function renderRooms() {
    const items = [];
    for (const room of state.rooms.values()) {
      const id = String(room.id);
      const button = el("button", { className: "room", attrs: { type: "button", "data-room-id": id, "data-testid": "room" } }, [
        el("span", { className: "room-name", text: room.name }),
        el("span", { className: "room-tags" }, [
          room.public ? null : el("span", { className: "tag", text: "private", attrs: { title: "Private room" } }),
          room.member ? el("span", { className: "tag member", text: "member" }) : null,
          state.unreadRooms.has(id) ? el("span", { className: "dot", attrs: { title: "New messages" } }) : null,
        ]),
      ]);
      if (id === state.openRoomId) button.setAttribute("aria-current", "true");
      button.addEventListener("click", () => openRoom(id));
      items.push(el("li", {}, [button]));
    }
    if (items.length === 0) items.push(el("li", { className: "empty-hint", text: "No rooms yet — create one." }));
    els.rooms.replaceChildren(...items);
  }

  async function createRoom(event) {
    event.preventDefault();
    const name = els.newRoomName.value.trim();
    if (!name) return;
    try {
      const room = await api("POST", "/api/rooms", { name, public: els.newRoomPublic.checked });
      els.newRoomName.value = "";
      await loadRooms();
      if (room && room.id !== undefined) openRoom(String(room.id));
    } catch (err) {
      showError(err.message);
    }
  }

  async function openRoom(id) {
    if (id === state.openRoomId && state.joined) return;
    const previous = state.openRoomId;
    if (previous !== null && previous !== id && state.joined && state.socket) {
      state.socket.emit("leave-room", Number(previous), () => {});
    }
    state.openRoomId = id;
    sessionStorage.setItem(ROOM_KEY, id);
    state.joined = false;
    state.unreadRooms.delete(id);
    state.messageIds.clear();
    els.messages.replaceChildren();
    els.chat.dataset.openRoom = id;
    els.chat.dataset.joined = "false";
    renderChatHeader();
    renderMessagesEmpty();
    renderRooms();
    updateComposer();
    if (state.socket && state.socket.connected) await joinRoom(id, { reload: false });
  }

  async function joinRoom(id, { reload }) {
    let ack;
    try {
      ack = await request("join-room", Number(id));
    } catch (err) {
      return showError(`join-room: ${err.message}`);
    }
    if (id !== state.openRoomId) return; // switched rooms meanwhile
    if (!ack || ack.ok !== true) {
      showError(`Cannot join room: ${(ack && ack.error) || "no answer"}`);
      els.chat.dataset.joined = "refused";
      sessionStorage.removeItem(ROOM_KEY);
      renderMessagesEmpty();
      return;
    }
    state.joined = true;
    els.chat.dataset.joined = "true";
    updateComposer();
    renderChatHeader();
    // Joining a public room makes the user a member: the list shows it after a refresh.
    const room = state.rooms.get(id);
    if (!room || !room.member) loadRooms();
    await loadHistory(id, { reload });
  }

  async function leaveRoom() {
    const id = state.openRoomId;
    if (id === null) return;
    if (state.socket && state.joined) {
      try {
        const ack = await request("leave-room", Number(id));
        if (!ack || ack.ok !== true) showError(`Cannot leave room: ${(ack && ack.error) || "no answer"}`);
      } catch (err) {
        showError(`leave-room: ${err.message}`);
      }
    }
    state.openRoomId = null;
    sessionStorage.removeItem(ROOM_KEY);
    state.joined = false;
    state.messageIds.clear();
    els.messages.replaceChildren();
    els.chat.dataset.openRoom = "";
    els.chat.dataset.joined = "false";
    renderChatHeader();
    renderMessagesEmpty();
    renderRooms();
    updateComposer();
  }

  async function addMember(event) {
    event.preventDefault();
    const userId = els.memberUserId.value.trim();
    if (!userId || state.openRoomId === null) return;
    try {
      await api("POST", `/api/rooms/${encodeURIComponent(state.openRoomId)}/members`, { userId });
      els.memberUserId.value = "";
      showNotice(`Added ${userId} to the room`);
    } catch (err) {
      showError(err.message);
    }
  }

  function showNotice(text) {
    showError(text, "info");
  }

  function renderChatHeader() {
    const room = state.openRoomId !== null ? state.rooms.get(state.openRoomId) : null;
    els.roomTitle.textContent = state.openRoomId === null ? "No room open" : room ? `# ${room.name}` : `# room ${state.openRoomId}`;
    els.leaveRoom.hidden = state.openRoomId === null;
    els.addMemberForm.hidden = !(state.openRoomId !== null && room && !room.public && state.joined);
  }

  function updateComposer() {
    const enabled = state.joined && state.socket && state.socket.connected;
    els.messageInput.disabled = !enabled;
    els.send.disabled = !enabled;
    els.messageInput.placeholder = enabled ? "Write a message…" : state.openRoomId === null ? "Pick a room first" : "Not joined";
  }

  function renderMessagesEmpty() {
    const hint =
      state.openRoomId === null
        ? "Pick a room to start chatting."
        : els.chat.dataset.joined === "refused"
          ? "You may not join this room."
          : "No messages yet — say hello.";
    els.messagesEmpty.textContent = hint;
    els.messagesEmpty.hidden = els.messages.children.length > 0;
  }

  // ---------- chat ----------

  async function loadHistory(id, { reload }) {
    let ack;
    try {
      ack = await request("history", { roomId: Number(id), limit: 50 });
    } catch (err) {
      return showError(`history: ${err.message}`);
    }
    if (id !== state.openRoomId) return;
    if (!ack || ack.ok !== true) return showError(`Cannot load history: ${(ack && ack.error) || "no answer"}`);
    const messages = Array.isArray(ack.messages) ? ack.messages.slice().reverse() : [];
    if (!reload) {
      // Live messages may have arrived while history was on its way: put history before them.
      const live = [...els.messages.children];
      els.messages.replaceChildren();
      state.messageIds.clear();
      for (const m of messages) appendMessage(m, { scroll: false });
      for (const node of live) {
        const mid = node.dataset.messageId;
        if (mid && state.messageIds.has(mid)) continue;
        if (mid) state.messageIds.add(mid);
        els.messages.append(node);
      }
    } else {
      insertInOrder(messages);
    }
    renderMessagesEmpty();
    scrollToBottom();
  }

  // Stored messages are identified by their id; broadcasts from an admin (system messages) carry
  // no id, so each gets a key of its own and is never taken for a duplicate.
  let unidentified = 0;
  function messageKey(m) {
    if (m.id === null || m.id === undefined) {
      if (!m.localKey) m.localKey = `system-${++unidentified}`;
      return m.localKey;
    }
    return String(m.id);
  }

  // After a reconnect: merge the history with what is on screen, in id order.
  function insertInOrder(messages) {
    for (const m of messages) {
      const id = messageKey(m);
      if (state.messageIds.has(id)) continue;
      const node = messageNode(m);
      state.messageIds.add(id);
      const after = [...els.messages.children].find((child) => {
        const other = Number(child.dataset.messageId);
        return Number.isFinite(other) && other > Number(m.id);
      });
      els.messages.insertBefore(node, after || null);
    }
  }

  function messageNode(m) {
    const system = m.system === true || m.userId === "system";
    const own = !system && state.user && m.userId === state.user.id;
    const classes = ["message", system ? "system" : "", own ? "own" : ""].filter(Boolean).join(" ");
    return el("li", { className: classes, attrs: { "data-message-id": messageKey(m), "data-testid": "message" } }, [
      el("div", { className: "meta" }, [
        el("span", { className: "author", text: system ? "system" : m.userId }),
        timeEl(m.createdAt),
      ]),
      el("div", { className: "content", text: m.content }),
    ]);
  }

  function appendMessage(m, { scroll = true } = {}) {
    const id = messageKey(m);
    if (state.messageIds.has(id)) return;
    state.messageIds.add(id);
    const nearBottom = els.messages.scrollHeight - els.messages.scrollTop - els.messages.clientHeight < 80;
    els.messages.append(messageNode(m));
    renderMessagesEmpty();
    if (scroll && (nearBottom || (state.user && m.userId === state.user.id))) scrollToBottom();
  }

  function scrollToBottom() {
    els.messages.scrollTop = els.messages.scrollHeight;
  }

  function onMessage(m) {
    if (!m || m.roomId === undefined) return;
    const roomId = String(m.roomId);
    if (roomId === state.openRoomId) {
      appendMessage(m);
    } else if (!state.unreadRooms.has(roomId)) {
      state.unreadRooms.add(roomId);
      renderRooms();
    }
  }

  async function sendMessage(event) {
    event.preventDefault();
    const content = els.messageInput.value;
    if (!content.trim() || state.openRoomId === null) return;
    const roomId = state.openRoomId;
    els.send.disabled = true;
    try {
      const ack = await request("message", { roomId: Number(roomId), content });
      if (!ack || ack.ok !== true) {
        showError(`Message not sent: ${(ack && ack.error) || "no answer"}`);
        return;
      }
      els.messageInput.value = "";
      if (ack.message && String(ack.message.roomId) === state.openRoomId) appendMessage(ack.message);
    } catch (err) {
      showError(`Message not sent: ${err.message}`);
    } finally {
      updateComposer();
      els.messageInput.focus();
    }
  }

  // ---------- presence ----------

  function onPresence(p) {
    if (!p || p.userId === undefined) return;
    if (p.online) state.online.add(String(p.userId));
    else if (!(state.user && p.userId === state.user.id && state.socket && state.socket.connected)) state.online.delete(String(p.userId));
    renderOnline();
  }

  function renderOnline() {
    const users = [...state.online].sort((a, b) => a.localeCompare(b));
    els.online.replaceChildren(
      ...users.map((u) =>
        el("li", { attrs: { "data-user-id": u } }, [
          el("span", { className: "dot online", attrs: { "aria-hidden": "true" } }),
          el("span", { text: state.user && u === state.user.id ? `${u} (you)` : u }),
        ]),
      ),
    );
    els.onlineCount.textContent = String(users.length);
  }

  // ---------- posts ----------

  async function loadPosts() {
    try {
      const posts = await api("GET", "/api/posts");
      renderPosts(Array.isArray(posts) ? posts : []);
    } catch (err) {
      showError(err.message);
    }
  }

  function renderPosts(posts) {
    if (posts.length === 0) {
      els.posts.replaceChildren(el("li", { className: "empty-hint", text: "No posts yet." }));
      return;
    }
    els.posts.replaceChildren(
      ...posts.map((post) => {
        const id = String(post.id);
        const liked = state.likedPosts.has(id);
        const like = el("button", {
          className: "like",
          attrs: { type: "button", "data-testid": "like", "aria-pressed": liked ? "true" : "false", title: "Like" },
        }, [el("span", { text: "♥", attrs: { "aria-hidden": "true" } }), el("span", { className: "likes", text: post.likes ?? 0 })]);
        like.addEventListener("click", () => likePost(id, like));
        return el("li", { className: "post", attrs: { "data-post-id": id, "data-testid": "post" } }, [
          el("div", { className: "meta" }, [el("span", { className: "author", text: post.authorId }), timeEl(post.createdAt)]),
          el("p", { className: "content", text: post.content }),
          el("div", { className: "actions" }, [like]),
        ]);
      }),
    );
  }

  async function createPost(event) {
    event.preventDefault();
    const content = els.newPost.value.trim();
    if (!content) return;
    try {
      await api("POST", "/api/posts", { content });
      els.newPost.value = "";
      await loadPosts();
    } catch (err) {
      showError(err.message);
    }
  }

  async function likePost(id, button) {
    button.disabled = true;
    try {
      const result = await api("POST", `/api/posts/${encodeURIComponent(id)}/like`);
      state.likedPosts.add(id);
      button.setAttribute("aria-pressed", "true");
      if (result && result.likes !== undefined) button.querySelector(".likes").textContent = String(result.likes);
      await loadPosts();
    } catch (err) {
      showError(err.message);
    } finally {
      button.disabled = false;
    }
  }

  // ---------- notifications ----------

  function addNotification(n) {
    if (!n || n.id === undefined) return;
    const id = String(n.id);
    if (!els.notificationsPanel.hidden) {
      // The panel is open: show it at once and mark it read.
      if (!state.shownNotifications.some((s) => String(s.id) === id)) state.shownNotifications.unshift(n);
      renderNotifications();
      markRead([n.id]);
      return;
    }
    state.unread.set(id, n);
  }

  function renderBadge() {
    const count = state.unread.size;
    els.badge.textContent = String(count);
    els.badge.dataset.count = String(count);
    els.notificationsToggle.setAttribute("aria-label", `Notifications (${count} unread)`);
  }

  function describe(n) {
    if (n.type === "like") return `${n.fromUserId} liked your post #${n.postId}`;
    return `${n.type} from ${n.fromUserId}`;
  }

  function renderNotifications() {
    els.notifications.replaceChildren(
      ...state.shownNotifications.map((n) =>
        el("li", { className: "notification", attrs: { "data-notification-id": String(n.id), "data-testid": "notification" } }, [
          el("span", { className: "text", text: describe(n) }),
          timeEl(n.createdAt),
        ]),
      ),
    );
    els.notificationsEmpty.hidden = state.shownNotifications.length > 0;
  }

  async function markRead(ids) {
    if (!state.socket || ids.length === 0) return;
    try {
      const ack = await request("notifications:read", { ids });
      if (!ack || ack.ok !== true) return showError(`Cannot mark read: ${(ack && ack.error) || "no answer"}`);
      for (const id of ids) state.unread.delete(String(id));
      renderBadge();
    } catch (err) {
      showError(`notifications:read: ${err.message}`);
    }
  }

  function toggleNotifications(open = els.notificationsPanel.hidden) {
    els.notificationsPanel.hidden = !open;
    els.notificationsToggle.setAttribute("aria-expanded", String(open));
    if (!open) return;
    const fresh = [...state.unread.values()].sort((a, b) => Number(b.id) - Number(a.id));
    const known = new Set(state.shownNotifications.map((n) => String(n.id)));
    state.shownNotifications = [...fresh.filter((n) => !known.has(String(n.id))), ...state.shownNotifications].slice(0, 50);
    renderNotifications();
    markRead(fresh.map((n) => n.id));
  }

  // ---------- wiring ----------

  els.signinForm.addEventListener("submit", signInWithName);
  els.tokenForm.addEventListener("submit", signInWithToken);
  els.signout.addEventListener("click", signOut);
  els.refreshRooms.addEventListener("click", loadRooms);
  els.createRoomForm.addEventListener("submit", createRoom);
  els.leaveRoom.addEventListener("click", leaveRoom);
  els.addMemberForm.addEventListener("submit", addMember);
  els.messageForm.addEventListener("submit", sendMessage);
  els.postForm.addEventListener("submit", createPost);
  els.refreshPosts.addEventListener("click", loadPosts);
  els.newPost.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) els.postForm.requestSubmit();
  });
  els.notificationsToggle.addEventListener("click", () => toggleNotifications());
  els.notificationsClose.addEventListener("click", () => toggleNotifications(false));
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && !els.notificationsPanel.hidden) toggleNotifications(false);
  });

  renderBadge();
  updateComposer();
  renderMessagesEmpty();
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) start(saved);
  else showSignedOut();
})();
