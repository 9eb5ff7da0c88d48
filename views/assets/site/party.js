// Watch-party page: joins the room's socket with a ticket, follows the room's playback (clock offset
// from pings, rate nudges under 0.5 s of drift, a seek over it), sends the host's play/pause/seek/rate,
// and shows people and chat (always as text, never as HTML).
import { correction, estimateClock, expectedPosition, SEEK_THRESHOLD } from './party-sync.mjs';

const SYNC_EVERY_MS = 250;
const PING_EVERY_MS = 2000;
/** The first pings go quickly, so the clock estimate is good before playback starts. */
const FIRST_PINGS = 5;
const NAME_KEY = 'sv-party-name';
/** Closes after which joining again cannot help. */
const FINAL_CLOSES = new Map([
  [4404, 'This watch party has ended.'],
  [4409, 'This watch party is full.'],
]);

const page = document.getElementById('party-page');
const roomId = page.dataset.roomId;
const video = document.getElementById('video');
const statusLine = document.getElementById('party-status');
const joinForm = document.getElementById('party-join');
const nameInput = document.getElementById('party-name');
const membersList = document.getElementById('party-members');
const chatLog = document.getElementById('party-chat');
const chatForm = document.getElementById('party-chat-form');
const messageInput = document.getElementById('party-message');
const everyoneBox = document.getElementById('party-everyone');
const speedSelect = document.getElementById('party-speed');
const linkInput = document.getElementById('party-link');

linkInput.value = new URL(linkInput.value, location.href).href;
nameInput.value = nameInput.value || localStorage.getItem(NAME_KEY) || '';

let socket;
let memberId = '';
let hostId = '';
let everyoneControls = false;
let state;
let samples = [];
let clock = { offset: 0, rtt: 0 };
/** The rate this script last set (a nudge), to tell it from a person changing the speed. */
let rateSetHere = 1;
let reconnectDelay = 500;
let syncTimer;
let pingTimer;
/** After sending a change, the local player is left alone until the room's answer (or a second). */
let pendingUntil = 0;

const serverNow = () => Date.now() + clock.offset;
const mayControl = () => everyoneControls || memberId === hostId;

function say(text) {
  statusLine.textContent = text;
}

function send(event, data = {}) {
  if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ event, data: { room: roomId, ...data } }));
}

function ping() {
  send('ping', { sent: Date.now() });
}

function addChatLine(text, notice = false) {
  const item = document.createElement('li');
  item.textContent = text;
  if (notice) item.className = 'notice';
  chatLog.append(item);
  while (chatLog.children.length > 200) chatLog.firstElementChild.remove();
  chatLog.scrollTop = chatLog.scrollHeight;
}

function showMembers(room) {
  hostId = room.hostId;
  everyoneControls = room.everyoneControls;
  membersList.replaceChildren(
    ...room.members.map((member) => {
      const item = document.createElement('li');
      item.textContent = member.id === memberId ? `${member.name} (you)` : member.name;
      item.dataset.memberId = member.id;
      if (member.id === room.hostId) item.className = 'host';
      return item;
    }),
  );
  everyoneBox.checked = everyoneControls;
  everyoneBox.closest('label').hidden = memberId !== hostId;
  page.dataset.host = String(memberId === hostId);
}

/** A state from the server replaces ours unless it is older (events can pass a welcome). */
function takeState(next) {
  if (state && next.revision < state.revision) return;
  state = next;
  pendingUntil = 0;
  if (speedSelect) speedSelect.value = String(state.rate);
  follow();
}

/** Moves the local player toward the room's timeline: the whole sync, run often. */
function follow() {
  if (!state || video.readyState < 1 || video.seeking || Date.now() < pendingUntil) return;
  const end = Number.isFinite(video.duration) ? video.duration : Infinity;
  const expected = Math.min(expectedPosition(state, serverNow()), end);
  if (!state.playing) {
    if (!video.paused) video.pause();
    if (Math.abs(video.currentTime - expected) > SEEK_THRESHOLD / 5) video.currentTime = expected;
    setRate(state.rate);
    page.dataset.drift = '0';
    return;
  }
  if (expected >= end) return;
  if (video.paused) {
    video.play().catch(() => {
      // No user gesture yet: start muted (the browser allows that), and say why it is silent.
      video.muted = true;
      video.play().catch(() => say('Press play to start watching with the party.'));
    });
  }
  const step = correction(video.currentTime, expected, state.rate);
  page.dataset.drift = String(Math.round(step.drift * 1000));
  if (step.seek !== undefined) video.currentTime = step.seek;
  setRate(step.rate);
}

function setRate(rate) {
  rateSetHere = rate;
  if (video.playbackRate !== rate) video.playbackRate = rate;
}

/** A person used the player: the host's change goes to the room; anyone else is put back. */
function control(action, extra = {}) {
  if (!state || !memberId) return;
  if (!mayControl()) {
    say('Only the host controls playback in this party.');
    follow();
    return;
  }
  pendingUntil = Date.now() + 1000;
  send('control', { action, ...extra });
}

video.addEventListener('play', () => {
  if (state && !state.playing) control('play', { position: video.currentTime });
});
video.addEventListener('pause', () => {
  if (state?.playing && !video.ended) control('pause', { position: video.currentTime });
});
video.addEventListener('seeked', () => {
  if (!state) return;
  // Our own corrections land within the threshold of the room; a person's seek does not.
  if (Math.abs(video.currentTime - expectedPosition(state, serverNow())) > 1) {
    control('seek', { position: video.currentTime });
  }
});
video.addEventListener('ratechange', () => {
  if (!state || Math.abs(video.playbackRate - rateSetHere) < 1e-6) return;
  control('rate', { rate: video.playbackRate });
});
speedSelect?.addEventListener('change', () => control('rate', { rate: Number(speedSelect.value) }));
everyoneBox.addEventListener('change', () => send('everyone-controls', { allowed: everyoneBox.checked }));

function receive(message) {
  const { event, data } = message;
  if (event === 'welcome') {
    memberId = data.memberId;
    reconnectDelay = 500;
    showMembers(data.room);
    takeState(data.room.state);
    messageInput.disabled = false;
    chatForm.querySelector('button').disabled = false;
    say('In the party.');
  } else if (event === 'pong') {
    samples = [...samples.slice(-7), { sent: data.sent, received: Date.now(), server: data.server }];
    clock = estimateClock(samples);
  } else if (event === 'state') {
    takeState(data.state);
  } else if (event === 'members') {
    showMembers(data);
  } else if (event === 'chat') {
    addChatLine(`${data.name}: ${data.text}`);
  } else if (event === 'notice') {
    addChatLine(data.text, true);
  } else if (event === 'error') {
    say(data.message);
  }
}

/** Joins again after a delay that doubles up to 10 s: a manager restarting, a network drop. */
function rejoin() {
  setTimeout(() => join().catch(rejoin), reconnectDelay);
  reconnectDelay = Math.min(reconnectDelay * 2, 10_000);
}

/** A ticket, then the socket; rejects when the server cannot be reached (the caller tries again). */
async function join() {
  const name = nameInput.value.trim();
  localStorage.setItem(NAME_KEY, name);
  const response = await fetch(`/api/party/${encodeURIComponent(roomId)}/tickets`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ name }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    say(body.message ?? 'Could not join the party.');
    if (response.status >= 500 || response.status === 429) throw new Error(body.message);
    return;
  }
  const url = new URL(body.socket, location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('ticket', body.ticket);
  socket = new WebSocket(url);
  const current = socket;
  socket.addEventListener('open', () => {
    let quick = 0;
    const fast = setInterval(() => (++quick >= FIRST_PINGS ? clearInterval(fast) : ping()), 150);
    ping();
  });
  socket.addEventListener('message', (event) => {
    try {
      receive(JSON.parse(event.data));
    } catch {
      // A malformed frame from the server is dropped; the next state replaces it anyway.
    }
  });
  socket.addEventListener('close', (event) => {
    if (socket !== current) return;
    memberId = '';
    messageInput.disabled = true;
    const final = FINAL_CLOSES.get(event.code);
    if (final) return say(final);
    // Dropped: join again with a new ticket and take the room's state from the welcome.
    say('Connection lost; joining again…');
    rejoin();
  });
}

joinForm.addEventListener('submit', (event) => {
  event.preventDefault();
  if (socket && socket.readyState <= WebSocket.OPEN) return;
  joinForm.hidden = true;
  say('Joining…');
  join().catch(() => {
    say('Could not reach the party; trying again…');
    rejoin();
  });
  clearInterval(syncTimer);
  clearInterval(pingTimer);
  syncTimer = setInterval(follow, SYNC_EVERY_MS);
  pingTimer = setInterval(ping, PING_EVERY_MS);
});

chatForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = messageInput.value.trim();
  if (!text) return;
  send('chat', { text });
  messageInput.value = '';
});

document.getElementById('party-copy').addEventListener('click', () => {
  navigator.clipboard?.writeText(linkInput.value).then(
    () => say('Link copied.'),
    () => linkInput.select(),
  );
});
